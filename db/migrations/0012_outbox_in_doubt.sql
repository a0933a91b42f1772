ALTER TABLE `outbox` ADD `claimed_at` integer;--> statement-breakpoint
ALTER TABLE `outbox` ADD `in_doubt_since` integer;