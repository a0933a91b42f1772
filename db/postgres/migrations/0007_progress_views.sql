CREATE TABLE "progress_views" (
	"application_no" text PRIMARY KEY NOT NULL,
	"account_no" text NOT NULL,
	"query_code_hmac" text NOT NULL,
	"accepted_at" bigint NOT NULL,
	"view" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "progress_views" ADD CONSTRAINT "progress_views_application_no_applications_application_no_fk" FOREIGN KEY ("application_no") REFERENCES "public"."applications"("application_no") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "progress_views_account_idx" ON "progress_views" USING btree ("account_no");--> statement-breakpoint
CREATE INDEX "steps_handler_idx" ON "application_steps" USING btree ("handler_id") WHERE "application_steps"."handler_id" IS NOT NULL;