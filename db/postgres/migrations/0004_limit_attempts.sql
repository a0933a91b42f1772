CREATE TABLE "limit_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"at" bigint NOT NULL,
	"tag" text
);
--> statement-breakpoint
CREATE INDEX "limit_attempts_key_at" ON "limit_attempts" USING btree ("key","at");