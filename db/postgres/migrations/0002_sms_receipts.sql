CREATE TABLE "sms_receipts" (
	"provider" text NOT NULL,
	"provider_id" text NOT NULL,
	"phone" text NOT NULL,
	"outbox_id" text,
	"status" text NOT NULL,
	"error_code" text,
	"received_at" bigint NOT NULL,
	CONSTRAINT "sms_receipts_provider_provider_id_phone_pk" PRIMARY KEY("provider","provider_id","phone")
);
--> statement-breakpoint
CREATE INDEX "sms_receipts_outbox_idx" ON "sms_receipts" USING btree ("outbox_id");--> statement-breakpoint
CREATE INDEX "outbox_address_idx" ON "outbox" USING btree ("address","created_at");