CREATE TABLE "handlers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"phone" text NOT NULL,
	"team_id" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text,
	"wecom_user_id" text,
	"email" text,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "application_steps" (
	"application_no" text NOT NULL,
	"step_code" text NOT NULL,
	"position" integer NOT NULL,
	"status" text NOT NULL,
	"actual_start" bigint,
	"actual_end" bigint,
	"last_started_at" bigint,
	"last_completed_at" bigint,
	"handler_id" text,
	"handler_at" bigint,
	"planned_start" text,
	"planned_end" text,
	"due_at" bigint,
	"warn_at" bigint,
	"alert_at" bigint,
	CONSTRAINT "application_steps_application_no_step_code_pk" PRIMARY KEY("application_no","step_code")
);
--> statement-breakpoint
CREATE TABLE "applications" (
	"application_no" text PRIMARY KEY NOT NULL,
	"account_no" text NOT NULL,
	"customer_name" text NOT NULL,
	"process_code" text NOT NULL,
	"capacity_kva" double precision,
	"address" text NOT NULL,
	"phone" text NOT NULL,
	"email" text,
	"query_code_hmac" text NOT NULL,
	"requested_connect_date" text,
	"accepted_at" bigint NOT NULL,
	"status" text NOT NULL,
	"account_manager_id" text,
	"source_digest" text NOT NULL,
	"expected_connect_date" text,
	"plan_feasible" boolean NOT NULL,
	"earliest_feasible_date" text,
	"plan_basis" text NOT NULL,
	"plan_compressed" boolean NOT NULL,
	"planned_on" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"limit_alert_at" bigint
);
--> statement-breakpoint
CREATE TABLE "step_completions" (
	"application_no" text NOT NULL,
	"process_code" text NOT NULL,
	"step_code" text NOT NULL,
	"completed_at" bigint NOT NULL,
	"workdays" integer NOT NULL,
	CONSTRAINT "step_completions_application_no_step_code_pk" PRIMARY KEY("application_no","step_code")
);
--> statement-breakpoint
CREATE TABLE "sync_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"application_no" text NOT NULL,
	"step_code" text NOT NULL,
	"type" text NOT NULL,
	"at" bigint NOT NULL,
	"handler_id" text,
	"state" text NOT NULL,
	"received_at" bigint NOT NULL,
	"applied_at" bigint,
	"rejection" text
);
--> statement-breakpoint
CREATE TABLE "application_mutes" (
	"application_no" text NOT NULL,
	"channel" text NOT NULL,
	"address" text NOT NULL,
	"source" text NOT NULL,
	"muted_at" bigint NOT NULL,
	"unmuted_at" bigint,
	CONSTRAINT "application_mutes_application_no_channel_address_pk" PRIMARY KEY("application_no","channel","address")
);
--> statement-breakpoint
CREATE TABLE "channel_bindings" (
	"channel" text NOT NULL,
	"address" text NOT NULL,
	"account_no" text NOT NULL,
	"verified_at" bigint NOT NULL,
	"application_nos" jsonb,
	CONSTRAINT "channel_bindings_channel_address_account_no_pk" PRIMARY KEY("channel","address","account_no")
);
--> statement-breakpoint
CREATE TABLE "opt_outs" (
	"channel" text NOT NULL,
	"address" text NOT NULL,
	"opted_out_at" bigint NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "opt_outs_channel_address_pk" PRIMARY KEY("channel","address")
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"application_no" text,
	"recipient_kind" text NOT NULL,
	"recipient_ref" text,
	"channel" text NOT NULL,
	"address" text NOT NULL,
	"notice_kind" text NOT NULL,
	"variables" jsonb NOT NULL,
	"text" text NOT NULL,
	"content" jsonb,
	"segments" integer NOT NULL,
	"urgent" boolean NOT NULL,
	"lane" integer DEFAULT 1 NOT NULL,
	"topic" text,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"last_error" text,
	"provider" text,
	"provider_id" text,
	"created_at" bigint NOT NULL,
	"sent_at" bigint,
	"delivered_at" bigint,
	"updated_at" bigint NOT NULL,
	"claimed_at" bigint,
	"in_doubt_since" bigint
);
--> statement-breakpoint
CREATE TABLE "hurries" (
	"id" text PRIMARY KEY NOT NULL,
	"application_no" text NOT NULL,
	"step_code" text NOT NULL,
	"handler_id" text,
	"team_id" text,
	"channel" text NOT NULL,
	"reply_address" text,
	"message" text,
	"status" text NOT NULL,
	"count" integer NOT NULL,
	"created_at" bigint NOT NULL,
	"last_hurried_at" bigint NOT NULL,
	"escalate_at" bigint NOT NULL,
	"ack_at" bigint,
	"ack_by" text,
	"answered_at" bigint,
	"answered_by" text,
	"reply" text,
	"escalated_at" bigint,
	"escalation_reason" text
);
--> statement-breakpoint
CREATE TABLE "hurry_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"hurry_id" text NOT NULL,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"at" bigint NOT NULL,
	"detail" text
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"application_no" text NOT NULL,
	"step_code" text NOT NULL,
	"occurrence" bigint NOT NULL,
	"handler_id" text,
	"team_id" text,
	"level" text NOT NULL,
	"due_at" bigint,
	"raised_at" bigint NOT NULL,
	"live" boolean NOT NULL,
	"notify_at" bigint,
	"notified_at" bigint,
	"explanation" text,
	"explained_at" bigint,
	"explained_by" text
);
--> statement-breakpoint
CREATE TABLE "weekly_digests" (
	"team_id" text NOT NULL,
	"week_start" text NOT NULL,
	"sent_at" bigint NOT NULL,
	CONSTRAINT "weekly_digests_team_id_week_start_pk" PRIMARY KEY("team_id","week_start")
);
--> statement-breakpoint
CREATE TABLE "chat_conversations" (
	"id" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"address" text NOT NULL,
	"state" jsonb,
	"state_expires_at" bigint,
	"bind_failures" integer DEFAULT 0 NOT NULL,
	"bind_locked_until" bigint,
	"session_account_no" text,
	"session_until" bigint,
	"created_at" bigint NOT NULL,
	"last_message_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"direction" text NOT NULL,
	"text" text NOT NULL,
	"intent" text,
	"provider_message_id" text,
	"reply_to" bigint,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consults" (
	"id" text PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"channel" text NOT NULL,
	"address" text NOT NULL,
	"account_no" text,
	"application_no" text,
	"team_id" text,
	"text" text NOT NULL,
	"status" text NOT NULL,
	"created_at" bigint NOT NULL,
	"closed_at" bigint,
	"closed_by" text,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "knowledge_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"question" text NOT NULL,
	"variants" jsonb NOT NULL,
	"keywords" jsonb NOT NULL,
	"answer" text NOT NULL,
	"source" text NOT NULL,
	"updated_at" bigint NOT NULL,
	"updated_by" text
);
--> statement-breakpoint
CREATE TABLE "wechat_oa_callbacks" (
	"dedupe_key" text PRIMARY KEY NOT NULL,
	"open_id" text NOT NULL,
	"received_at" bigint NOT NULL,
	"passive_reply" text
);
--> statement-breakpoint
CREATE TABLE "wechat_oa_tokens" (
	"app_id" text PRIMARY KEY NOT NULL,
	"access_token" text NOT NULL,
	"expires_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "handlers" ADD CONSTRAINT "handlers_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_steps" ADD CONSTRAINT "application_steps_application_no_applications_application_no_fk" FOREIGN KEY ("application_no") REFERENCES "public"."applications"("application_no") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "handlers_team_idx" ON "handlers" USING btree ("team_id");--> statement-breakpoint
CREATE INDEX "steps_alert_idx" ON "application_steps" USING btree ("alert_at") WHERE "application_steps"."alert_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "steps_actual_start_idx" ON "application_steps" USING btree ("actual_start") WHERE "application_steps"."actual_start" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "steps_actual_end_idx" ON "application_steps" USING btree ("actual_end") WHERE "application_steps"."actual_end" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "applications_account_idx" ON "applications" USING btree ("account_no");--> statement-breakpoint
CREATE INDEX "applications_limit_alert_idx" ON "applications" USING btree ("limit_alert_at") WHERE "applications"."limit_alert_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "step_completions_learn_idx" ON "step_completions" USING btree ("process_code","step_code","completed_at");--> statement-breakpoint
CREATE INDEX "sync_events_application_state_idx" ON "sync_events" USING btree ("application_no","state");--> statement-breakpoint
CREATE INDEX "channel_bindings_account_idx" ON "channel_bindings" USING btree ("account_no");--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("status","lane","next_attempt_at","created_at");--> statement-breakpoint
CREATE INDEX "outbox_thread_idx" ON "outbox" USING btree ("application_no","address","channel","status");--> statement-breakpoint
CREATE INDEX "outbox_provider_idx" ON "outbox" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "outbox_application_idx" ON "outbox" USING btree ("application_no","created_at");--> statement-breakpoint
CREATE INDEX "hurries_application_step_idx" ON "hurries" USING btree ("application_no","step_code","created_at");--> statement-breakpoint
CREATE INDEX "hurries_handler_idx" ON "hurries" USING btree ("handler_id","status");--> statement-breakpoint
CREATE INDEX "hurries_team_idx" ON "hurries" USING btree ("team_id","status");--> statement-breakpoint
CREATE INDEX "hurries_escalation_idx" ON "hurries" USING btree ("status","escalate_at");--> statement-breakpoint
CREATE INDEX "hurry_audit_hurry_idx" ON "hurry_audit" USING btree ("hurry_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_occurrence_idx" ON "alerts" USING btree ("application_no","step_code","occurrence","level");--> statement-breakpoint
CREATE INDEX "alerts_handler_idx" ON "alerts" USING btree ("handler_id","explained_at");--> statement-breakpoint
CREATE INDEX "alerts_team_idx" ON "alerts" USING btree ("team_id","explained_at");--> statement-breakpoint
CREATE INDEX "alerts_raised_idx" ON "alerts" USING btree ("raised_at");--> statement-breakpoint
CREATE INDEX "alerts_notify_idx" ON "alerts" USING btree ("notified_at","notify_at");--> statement-breakpoint
CREATE UNIQUE INDEX "chat_conversations_address_idx" ON "chat_conversations" USING btree ("channel","address");--> statement-breakpoint
CREATE INDEX "chat_messages_conversation_idx" ON "chat_messages" USING btree ("conversation_id","id");--> statement-breakpoint
CREATE INDEX "chat_messages_provider_idx" ON "chat_messages" USING btree ("provider_message_id");--> statement-breakpoint
CREATE INDEX "consults_team_idx" ON "consults" USING btree ("team_id","status");--> statement-breakpoint
CREATE INDEX "consults_conversation_idx" ON "consults" USING btree ("conversation_id","status");--> statement-breakpoint
CREATE INDEX "wechat_oa_callbacks_received_idx" ON "wechat_oa_callbacks" USING btree ("received_at");