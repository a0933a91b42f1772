CREATE TABLE `exposure_months` (
	`month` text NOT NULL,
	`team_id` text NOT NULL,
	`urgent_items` integer NOT NULL,
	`ratings` integer NOT NULL,
	`satisfaction` real,
	`breached` integer NOT NULL,
	`tier` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`month`, `team_id`)
);
--> statement-breakpoint
CREATE TABLE `ratings` (
	`application_no` text PRIMARY KEY NOT NULL,
	`team_id` text,
	`handler_id` text,
	`asked_at` integer NOT NULL,
	`score` integer,
	`comment` text,
	`channel` text,
	`first_rated_at` integer,
	`rated_at` integer
);
--> statement-breakpoint
CREATE INDEX `ratings_asked_idx` ON `ratings` (`asked_at`);--> statement-breakpoint
CREATE TABLE `risk_audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_id` text NOT NULL,
	`action` text NOT NULL,
	`actor` text NOT NULL,
	`at` integer NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `risk_audit_item_idx` ON `risk_audit` (`item_id`,`at`);--> statement-breakpoint
CREATE TABLE `risk_items` (
	`id` text PRIMARY KEY NOT NULL,
	`application_no` text NOT NULL,
	`team_id` text,
	`handler_id` text,
	`tier` text NOT NULL,
	`status` text NOT NULL,
	`opened_at` integer NOT NULL,
	`raised_at` integer NOT NULL,
	`last_signal_at` integer NOT NULL,
	`handle_by` integer,
	`text_at` integer,
	`texted_at` integer,
	`closed_at` integer,
	`closed_by` text,
	`note` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `risk_items_application_idx` ON `risk_items` (`application_no`);--> statement-breakpoint
CREATE INDEX `risk_items_team_idx` ON `risk_items` (`team_id`,`status`);--> statement-breakpoint
CREATE INDEX `risk_items_text_idx` ON `risk_items` (`text_at`) WHERE "risk_items"."text_at" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `risk_signals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`application_no` text NOT NULL,
	`item_id` text,
	`team_id` text,
	`handler_id` text,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	`source` text NOT NULL,
	`step_code` text,
	`step_overdue` integer NOT NULL,
	`score` integer,
	`detail` text,
	`rules` text NOT NULL,
	`tier` text
);
--> statement-breakpoint
CREATE INDEX `risk_signals_application_idx` ON `risk_signals` (`application_no`,`at`);--> statement-breakpoint
CREATE INDEX `risk_signals_item_idx` ON `risk_signals` (`item_id`,`at`);--> statement-breakpoint
ALTER TABLE `applications` ADD `risk_limit_at` integer;--> statement-breakpoint
CREATE INDEX `applications_risk_limit_idx` ON `applications` (`risk_limit_at`) WHERE "applications"."risk_limit_at" IS NOT NULL;