CREATE TABLE `weekly_digests` (
	`team_id` text NOT NULL,
	`week_start` text NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `week_start`)
);
--> statement-breakpoint
ALTER TABLE `application_steps` ADD `alert_at` integer;--> statement-breakpoint
CREATE INDEX `steps_alert_idx` ON `application_steps` (`alert_at`) WHERE "application_steps"."alert_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `steps_actual_start_idx` ON `application_steps` (`actual_start`) WHERE "application_steps"."actual_start" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `steps_actual_end_idx` ON `application_steps` (`actual_end`) WHERE "application_steps"."actual_end" IS NOT NULL;--> statement-breakpoint
ALTER TABLE `applications` ADD `limit_alert_at` integer;--> statement-breakpoint
CREATE INDEX `applications_limit_alert_idx` ON `applications` (`limit_alert_at`) WHERE "applications"."limit_alert_at" IS NOT NULL;--> statement-breakpoint
-- Steps already under way owe at least their overdue alert; warning instants follow at their next re-plan.
UPDATE `application_steps` SET `alert_at` = `due_at` WHERE `status` = 'in_progress' AND `due_at` IS NOT NULL AND `application_no` IN (SELECT `application_no` FROM `applications` WHERE `status` = 'active');
