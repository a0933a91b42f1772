CREATE TABLE `hurries` (
	`id` text PRIMARY KEY NOT NULL,
	`application_no` text NOT NULL,
	`step_code` text NOT NULL,
	`handler_id` text,
	`team_id` text,
	`channel` text NOT NULL,
	`reply_address` text,
	`message` text,
	`status` text NOT NULL,
	`count` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_hurried_at` integer NOT NULL,
	`escalate_at` integer NOT NULL,
	`ack_at` integer,
	`ack_by` text,
	`answered_at` integer,
	`answered_by` text,
	`reply` text,
	`escalated_at` integer,
	`escalation_reason` text
);
--> statement-breakpoint
CREATE INDEX `hurries_application_step_idx` ON `hurries` (`application_no`,`step_code`,`created_at`);--> statement-breakpoint
CREATE INDEX `hurries_handler_idx` ON `hurries` (`handler_id`,`status`);--> statement-breakpoint
CREATE INDEX `hurries_team_idx` ON `hurries` (`team_id`,`status`);--> statement-breakpoint
CREATE INDEX `hurries_escalation_idx` ON `hurries` (`status`,`escalate_at`);--> statement-breakpoint
CREATE TABLE `hurry_audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`hurry_id` text NOT NULL,
	`action` text NOT NULL,
	`actor` text NOT NULL,
	`at` integer NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `hurry_audit_hurry_idx` ON `hurry_audit` (`hurry_id`,`at`);