CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`application_no` text NOT NULL,
	`step_code` text NOT NULL,
	`occurrence` integer NOT NULL,
	`handler_id` text,
	`team_id` text,
	`level` text NOT NULL,
	`due_at` integer,
	`raised_at` integer NOT NULL,
	`live` integer NOT NULL,
	`notify_at` integer,
	`notified_at` integer,
	`explanation` text,
	`explained_at` integer,
	`explained_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_occurrence_idx` ON `alerts` (`application_no`,`step_code`,`occurrence`,`level`);--> statement-breakpoint
CREATE INDEX `alerts_handler_idx` ON `alerts` (`handler_id`,`explained_at`);--> statement-breakpoint
CREATE INDEX `alerts_team_idx` ON `alerts` (`team_id`,`explained_at`);--> statement-breakpoint
CREATE INDEX `alerts_raised_idx` ON `alerts` (`raised_at`);--> statement-breakpoint
CREATE INDEX `alerts_notify_idx` ON `alerts` (`notified_at`,`notify_at`);--> statement-breakpoint
ALTER TABLE `application_steps` ADD `warn_at` integer;--> statement-breakpoint
CREATE INDEX `steps_status_warn_idx` ON `application_steps` (`status`,`warn_at`);