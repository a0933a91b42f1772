CREATE TABLE `application_mutes` (
	`application_no` text NOT NULL,
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`source` text NOT NULL,
	`muted_at` integer NOT NULL,
	`unmuted_at` integer,
	PRIMARY KEY(`application_no`, `channel`, `address`)
);
