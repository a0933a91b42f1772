CREATE TABLE `handlers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`phone` text NOT NULL,
	`team_id` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `handlers_team_idx` ON `handlers` (`team_id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `application_steps` (
	`application_no` text NOT NULL,
	`step_code` text NOT NULL,
	`position` integer NOT NULL,
	`status` text NOT NULL,
	`actual_start` integer,
	`actual_end` integer,
	`last_started_at` integer,
	`last_completed_at` integer,
	`handler_id` text,
	`planned_start` text,
	`planned_end` text,
	`due_at` integer,
	PRIMARY KEY(`application_no`, `step_code`),
	FOREIGN KEY (`application_no`) REFERENCES `applications`(`application_no`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `steps_status_due_idx` ON `application_steps` (`status`,`due_at`);--> statement-breakpoint
CREATE TABLE `applications` (
	`application_no` text PRIMARY KEY NOT NULL,
	`account_no` text NOT NULL,
	`customer_name` text NOT NULL,
	`process_code` text NOT NULL,
	`capacity_kva` real,
	`address` text NOT NULL,
	`phone` text NOT NULL,
	`query_code_hmac` text NOT NULL,
	`requested_connect_date` text,
	`accepted_at` integer NOT NULL,
	`status` text NOT NULL,
	`account_manager_id` text,
	`source_digest` text NOT NULL,
	`expected_connect_date` text,
	`plan_feasible` integer NOT NULL,
	`earliest_feasible_date` text,
	`plan_basis` text NOT NULL,
	`plan_compressed` integer NOT NULL,
	`planned_on` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `applications_account_idx` ON `applications` (`account_no`);--> statement-breakpoint
CREATE TABLE `step_completions` (
	`application_no` text NOT NULL,
	`process_code` text NOT NULL,
	`step_code` text NOT NULL,
	`completed_at` integer NOT NULL,
	`workdays` integer NOT NULL,
	PRIMARY KEY(`application_no`, `step_code`)
);
--> statement-breakpoint
CREATE INDEX `step_completions_learn_idx` ON `step_completions` (`process_code`,`step_code`,`completed_at`);--> statement-breakpoint
CREATE TABLE `sync_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`application_no` text NOT NULL,
	`step_code` text NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`handler_id` text,
	`state` text NOT NULL,
	`received_at` integer NOT NULL,
	`applied_at` integer,
	`rejection` text
);
--> statement-breakpoint
CREATE INDEX `sync_events_application_state_idx` ON `sync_events` (`application_no`,`state`);