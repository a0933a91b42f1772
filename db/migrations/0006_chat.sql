CREATE TABLE `chat_conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`state` text,
	`state_expires_at` integer,
	`bind_failures` integer DEFAULT 0 NOT NULL,
	`bind_locked_until` integer,
	`session_account_no` text,
	`session_until` integer,
	`created_at` integer NOT NULL,
	`last_message_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_conversations_address_idx` ON `chat_conversations` (`channel`,`address`);--> statement-breakpoint
CREATE TABLE `chat_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`conversation_id` text NOT NULL,
	`direction` text NOT NULL,
	`text` text NOT NULL,
	`intent` text,
	`provider_message_id` text,
	`reply_to` integer,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `chat_messages_conversation_idx` ON `chat_messages` (`conversation_id`,`id`);--> statement-breakpoint
CREATE INDEX `chat_messages_provider_idx` ON `chat_messages` (`provider_message_id`);--> statement-breakpoint
CREATE TABLE `consults` (
	`id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`account_no` text,
	`application_no` text,
	`team_id` text,
	`text` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`closed_at` integer,
	`closed_by` text,
	`note` text
);
--> statement-breakpoint
CREATE INDEX `consults_team_idx` ON `consults` (`team_id`,`status`);--> statement-breakpoint
CREATE INDEX `consults_conversation_idx` ON `consults` (`conversation_id`,`status`);--> statement-breakpoint
CREATE TABLE `knowledge_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`question` text NOT NULL,
	`variants` text NOT NULL,
	`keywords` text NOT NULL,
	`answer` text NOT NULL,
	`source` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text
);
