ALTER TABLE `application_steps` ADD `handler_at` integer;--> statement-breakpoint
UPDATE `application_steps` SET `handler_at` = max(coalesce(`last_started_at`, `last_completed_at`), coalesce(`last_completed_at`, `last_started_at`)) WHERE `handler_id` IS NOT NULL;
