CREATE TABLE "exposure_months" (
	"month" text NOT NULL,
	"team_id" text NOT NULL,
	"urgent_items" integer NOT NULL,
	"ratings" integer NOT NULL,
	"satisfaction" double precision,
	"breached" boolean NOT NULL,
	"tier" text,
	"created_at" bigint NOT NULL,
	CONSTRAINT "exposure_months_month_team_id_pk" PRIMARY KEY("month","team_id")
);
--> statement-breakpoint
CREATE TABLE "ratings" (
	"application_no" text PRIMARY KEY NOT NULL,
	"team_id" text,
	"handler_id" text,
	"asked_at" bigint NOT NULL,
	"score" integer,
	"comment" text,
	"channel" text,
	"first_rated_at" bigint,
	"rated_at" bigint
);
--> statement-breakpoint
CREATE TABLE "risk_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"item_id" text NOT NULL,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"at" bigint NOT NULL,
	"detail" text
);
--> statement-breakpoint
CREATE TABLE "risk_items" (
	"id" text PRIMARY KEY NOT NULL,
	"application_no" text NOT NULL,
	"team_id" text,
	"handler_id" text,
	"tier" text NOT NULL,
	"status" text NOT NULL,
	"opened_at" bigint NOT NULL,
	"raised_at" bigint NOT NULL,
	"last_signal_at" bigint NOT NULL,
	"handle_by" bigint,
	"text_at" bigint,
	"texted_at" bigint,
	"closed_at" bigint,
	"closed_by" text,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "risk_signals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"application_no" text NOT NULL,
	"item_id" text,
	"team_id" text,
	"handler_id" text,
	"kind" text NOT NULL,
	"at" bigint NOT NULL,
	"source" text NOT NULL,
	"step_code" text,
	"step_overdue" boolean NOT NULL,
	"score" integer,
	"detail" text,
	"rules" text NOT NULL,
	"tier" text
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "risk_limit_at" bigint;--> statement-breakpoint
CREATE INDEX "ratings_asked_idx" ON "ratings" USING btree ("asked_at");--> statement-breakpoint
CREATE INDEX "risk_audit_item_idx" ON "risk_audit" USING btree ("item_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "risk_items_application_idx" ON "risk_items" USING btree ("application_no");--> statement-breakpoint
CREATE INDEX "risk_items_team_idx" ON "risk_items" USING btree ("team_id","status");--> statement-breakpoint
CREATE INDEX "risk_items_text_idx" ON "risk_items" USING btree ("text_at") WHERE "risk_items"."text_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "risk_signals_application_idx" ON "risk_signals" USING btree ("application_no","at");--> statement-breakpoint
CREATE INDEX "risk_signals_item_idx" ON "risk_signals" USING btree ("item_id","at");--> statement-breakpoint
CREATE INDEX "applications_risk_limit_idx" ON "applications" USING btree ("risk_limit_at") WHERE "applications"."risk_limit_at" IS NOT NULL;