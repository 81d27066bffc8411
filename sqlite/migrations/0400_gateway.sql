-- Gateway: the AI vendor registry and conversations (sealed placeholder maps).
-- Times are Unix nanoseconds; 0 means unset.
CREATE TABLE vendors (
	name TEXT PRIMARY KEY,
	base_url TEXT NOT NULL,
	format TEXT NOT NULL,
	credential_env TEXT NOT NULL DEFAULT '',
	credential_file TEXT NOT NULL DEFAULT '',
	sealed_credential BLOB,
	baa_status TEXT NOT NULL,
	baa_effective BIGINT NOT NULL DEFAULT 0,
	baa_expires BIGINT NOT NULL DEFAULT 0,
	baa_categories TEXT NOT NULL DEFAULT '[]',
	sealed_baa_document BLOB,
	baa_document_name TEXT NOT NULL DEFAULT '',
	baa_document_sha256 TEXT NOT NULL DEFAULT '',
	region TEXT NOT NULL DEFAULT '',
	retention TEXT NOT NULL DEFAULT '',
	training INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	models TEXT NOT NULL DEFAULT '[]',
	disabled INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE TABLE gateway_conversations (
	id TEXT PRIMARY KEY,
	owner TEXT NOT NULL,
	sealed BLOB NOT NULL,
	version BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX gateway_conversations_expires ON gateway_conversations (expires_at);
