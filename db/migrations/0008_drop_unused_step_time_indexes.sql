DROP INDEX `steps_status_due_idx`;--> statement-breakpoint
DROP INDEX `steps_status_warn_idx`;