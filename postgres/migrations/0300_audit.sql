-- The audit log (see the audit package): blocks of hash-chained events,
-- their search filters, signed checkpoints and the chain head. One chain per
-- deployment: appends lock the head row, so nodes take turns. Append-only:
-- triggers refuse updates, truncation, and deletes of anything not yet
-- archived below the head's base (which only moves forward).
CREATE TABLE audit_blocks (
	first BIGINT PRIMARY KEY,
	last BIGINT NOT NULL UNIQUE,
	min_time BIGINT NOT NULL,
	max_time BIGINT NOT NULL,
	data BYTEA NOT NULL
);
-- Entries are hashed and mostly distinct: compressing them costs more
-- than it saves on the append path.
ALTER TABLE audit_blocks ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE INDEX audit_blocks_min_time ON audit_blocks (min_time);
CREATE INDEX audit_blocks_max_time ON audit_blocks (max_time);

-- Each block's filter (a Bloom filter of its actors, resources, action
-- categories and patients), apart from its data so searches scan it fast.
CREATE TABLE audit_filters (
	first BIGINT PRIMARY KEY,
	last BIGINT NOT NULL,
	filter BYTEA NOT NULL
);

CREATE TABLE audit_checkpoints (
	size BIGINT PRIMARY KEY,
	time BIGINT NOT NULL,
	note BYTEA NOT NULL,
	frontier BYTEA NOT NULL,
	hash BYTEA NOT NULL
);

CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	size BIGINT NOT NULL,
	hash BYTEA,
	frontier BYTEA NOT NULL,
	checkpoint_size BIGINT NOT NULL,
	base_size BIGINT NOT NULL,
	base BYTEA
);
INSERT INTO audit_head (id, size, hash, frontier, checkpoint_size, base_size, base)
VALUES (1, 0, NULL, '\x'::bytea, 0, 0, NULL);

CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only';
END $$;

CREATE FUNCTION audit_blocks_retained() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.last > (SELECT base_size FROM audit_head WHERE id = 1) THEN
		RAISE EXCEPTION 'audit events are deleted only once archived and past retention';
	END IF;
	RETURN OLD;
END $$;

CREATE FUNCTION audit_checkpoints_retained() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.size >= (SELECT base_size FROM audit_head WHERE id = 1) THEN
		RAISE EXCEPTION 'audit checkpoints are deleted only once archived';
	END IF;
	RETURN OLD;
END $$;

CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.size < OLD.size OR NEW.base_size < OLD.base_size OR NEW.checkpoint_size < OLD.checkpoint_size THEN
		RAISE EXCEPTION 'the audit head only moves forward';
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER audit_blocks_append_only BEFORE UPDATE ON audit_blocks
	FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_blocks_retained BEFORE DELETE ON audit_blocks
	FOR EACH ROW EXECUTE FUNCTION audit_blocks_retained();
CREATE TRIGGER audit_filters_append_only BEFORE UPDATE ON audit_filters
	FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_filters_retained BEFORE DELETE ON audit_filters
	FOR EACH ROW EXECUTE FUNCTION audit_blocks_retained();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_filters
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE ON audit_checkpoints
	FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_checkpoints_retained BEFORE DELETE ON audit_checkpoints
	FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_retained();
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
	FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head
	FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_blocks
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_checkpoints
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_head
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
