-- Sign-in state and credentials (issue 4). Secrets are stored only as hashes
-- (sessions, API keys, recovery codes) or sealed (TOTP secrets, break-glass
-- reasons). Times are Unix nanoseconds; 0 means unset.
CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	source TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	mfa BOOLEAN NOT NULL DEFAULT FALSE,
	break_glass_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_keys (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	owner_id TEXT NOT NULL REFERENCES users(id),
	hash TEXT NOT NULL UNIQUE,
	roles TEXT NOT NULL DEFAULT '[]',
	purposes TEXT NOT NULL DEFAULT '[]',
	routes TEXT NOT NULL DEFAULT '[]',
	cidrs TEXT NOT NULL DEFAULT '[]',
	expires_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL DEFAULT 0,
	revoked_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_owner ON api_keys(owner_id);

CREATE TABLE totp_secrets (
	user_id TEXT PRIMARY KEY REFERENCES users(id),
	secret BYTEA NOT NULL,
	last_step BIGINT NOT NULL DEFAULT 0,
	confirmed_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
	user_id TEXT NOT NULL REFERENCES users(id),
	hash TEXT NOT NULL,
	used_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, hash)
);

CREATE TABLE webauthn_credentials (
	id BYTEA PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	name TEXT NOT NULL,
	data BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials(user_id);

CREATE TABLE login_failures (
	lock_key TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	last_failure BIGINT NOT NULL,
	locked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE user_identities (
	issuer TEXT NOT NULL,
	subject TEXT NOT NULL,
	user_id TEXT NOT NULL REFERENCES users(id),
	PRIMARY KEY (issuer, subject)
);

CREATE TABLE break_glass (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	session_id TEXT NOT NULL,
	reason BYTEA NOT NULL,
	opened_at BIGINT NOT NULL,
	until_at BIGINT NOT NULL
);
CREATE INDEX break_glass_opened ON break_glass(opened_at);

CREATE TABLE custom_roles (
	name TEXT PRIMARY KEY,
	definition TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
