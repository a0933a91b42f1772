CREATE TABLE `channel_bindings` (
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`account_no` text NOT NULL,
	`verified_at` integer NOT NULL,
	PRIMARY KEY(`channel`, `address`, `account_no`)
);
--> statement-breakpoint
CREATE INDEX `channel_bindings_account_idx` ON `channel_bindings` (`account_no`);--> statement-breakpoint
CREATE TABLE `opt_outs` (
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`opted_out_at` integer NOT NULL,
	`source` text NOT NULL,
	PRIMARY KEY(`channel`, `address`)
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`application_no` text,
	`recipient_kind` text NOT NULL,
	`recipient_ref` text,
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`notice_kind` text NOT NULL,
	`variables` text NOT NULL,
	`text` text NOT NULL,
	`segments` integer NOT NULL,
	`urgent` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`provider` text,
	`provider_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`delivered_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_provider_idx` ON `outbox` (`provider_id`);--> statement-breakpoint
CREATE INDEX `outbox_application_idx` ON `outbox` (`application_no`,`created_at`);