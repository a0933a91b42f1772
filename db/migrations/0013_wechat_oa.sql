CREATE TABLE `wechat_oa_callbacks` (
	`dedupe_key` text PRIMARY KEY NOT NULL,
	`open_id` text NOT NULL,
	`received_at` integer NOT NULL,
	`passive_reply` text
);
--> statement-breakpoint
CREATE INDEX `wechat_oa_callbacks_received_idx` ON `wechat_oa_callbacks` (`received_at`);--> statement-breakpoint
CREATE TABLE `wechat_oa_tokens` (
	`app_id` text PRIMARY KEY NOT NULL,
	`access_token` text NOT NULL,
	`expires_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
