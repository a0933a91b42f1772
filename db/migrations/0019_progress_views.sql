CREATE TABLE `progress_views` (
	`application_no` text PRIMARY KEY NOT NULL,
	`account_no` text NOT NULL,
	`query_code_hmac` text NOT NULL,
	`accepted_at` integer NOT NULL,
	`view` text NOT NULL,
	FOREIGN KEY (`application_no`) REFERENCES `applications`(`application_no`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `progress_views_account_idx` ON `progress_views` (`account_no`);--> statement-breakpoint
CREATE INDEX `steps_handler_idx` ON `application_steps` (`handler_id`) WHERE "application_steps"."handler_id" IS NOT NULL;