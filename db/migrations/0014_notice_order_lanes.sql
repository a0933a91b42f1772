DROP INDEX `outbox_due_idx`;--> statement-breakpoint
ALTER TABLE `outbox` ADD `lane` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `topic` text;--> statement-breakpoint
CREATE INDEX `outbox_thread_idx` ON `outbox` (`application_no`,`address`,`channel`,`status`);--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`lane`,`next_attempt_at`,`created_at`);--> statement-breakpoint
UPDATE `outbox` SET `lane` = 0 WHERE `status` = 'pending' AND `notice_kind` IN ('bind_code', 'hurry_received', 'hurry_answered');
