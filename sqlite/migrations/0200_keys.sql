-- Keys: each subject's data keys, only ever wrapped by a key-encryption key
-- (never in clear); the record of shredded subjects; rewrap progress.
CREATE TABLE keys_data_keys (
	subject TEXT NOT NULL,
	id BIGINT NOT NULL,
	kek_version BIGINT NOT NULL,
	wrapped BLOB NOT NULL,
	created_at BIGINT NOT NULL,
	rewrapped_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (subject, id)
);
CREATE INDEX keys_data_keys_kek_version ON keys_data_keys (kek_version);

CREATE TABLE keys_shreds (
	subject TEXT PRIMARY KEY,
	keys BIGINT NOT NULL,
	shredded_at BIGINT NOT NULL
);

CREATE TABLE keys_rewrap_jobs (
	target BIGINT PRIMARY KEY,
	cursor_subject TEXT NOT NULL,
	cursor_id BIGINT NOT NULL,
	total BIGINT NOT NULL,
	done BIGINT NOT NULL,
	failed BIGINT NOT NULL,
	started_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	finished_at BIGINT NOT NULL DEFAULT 0
);
