CREATE TABLE `sms_receipts` (
	`provider` text NOT NULL,
	`provider_id` text NOT NULL,
	`phone` text NOT NULL,
	`outbox_id` text,
	`status` text NOT NULL,
	`error_code` text,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `provider_id`, `phone`)
);
--> statement-breakpoint
CREATE INDEX `sms_receipts_outbox_idx` ON `sms_receipts` (`outbox_id`);--> statement-breakpoint
CREATE INDEX `outbox_address_idx` ON `outbox` (`address`,`created_at`);