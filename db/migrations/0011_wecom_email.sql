ALTER TABLE `handlers` ADD `wecom_user_id` text;--> statement-breakpoint
ALTER TABLE `handlers` ADD `email` text;--> statement-breakpoint
ALTER TABLE `applications` ADD `email` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `content` text;