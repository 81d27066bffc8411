-- The audit log (see the audit package): blocks of hash-chained events,
-- their search filters, signed checkpoints and the chain head. Append-only:
-- triggers refuse updates, and deletes of anything not yet archived below
-- the head's base (which only moves forward).
CREATE TABLE audit_blocks (
	first INTEGER PRIMARY KEY,
	last INTEGER NOT NULL UNIQUE,
	min_time INTEGER NOT NULL,
	max_time INTEGER NOT NULL,
	data BLOB NOT NULL
);
CREATE INDEX audit_blocks_min_time ON audit_blocks (min_time);
CREATE INDEX audit_blocks_max_time ON audit_blocks (max_time);

-- Each block's filter (a Bloom filter of its actors, resources, action
-- categories and patients), apart from its data so searches scan it fast.
CREATE TABLE audit_filters (
	first INTEGER PRIMARY KEY,
	last INTEGER NOT NULL,
	filter BLOB NOT NULL
);

CREATE TABLE audit_checkpoints (
	size INTEGER PRIMARY KEY,
	time INTEGER NOT NULL,
	note BLOB NOT NULL,
	frontier BLOB NOT NULL,
	hash BLOB NOT NULL
);

CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	size INTEGER NOT NULL,
	hash BLOB,
	frontier BLOB NOT NULL,
	checkpoint_size INTEGER NOT NULL,
	base_size INTEGER NOT NULL,
	base BLOB
);
INSERT INTO audit_head (id, size, hash, frontier, checkpoint_size, base_size, base)
VALUES (1, 0, NULL, x'', 0, 0, NULL);

CREATE TRIGGER audit_blocks_append_only BEFORE UPDATE ON audit_blocks
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_blocks_retained BEFORE DELETE ON audit_blocks
WHEN OLD.last > (SELECT base_size FROM audit_head WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'audit events are deleted only once archived and past retention'); END;
CREATE TRIGGER audit_filters_append_only BEFORE UPDATE ON audit_filters
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_filters_retained BEFORE DELETE ON audit_filters
WHEN OLD.last > (SELECT base_size FROM audit_head WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'audit events are deleted only once archived and past retention'); END;
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_checkpoints_retained BEFORE DELETE ON audit_checkpoints
WHEN OLD.size >= (SELECT base_size FROM audit_head WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are deleted only once archived'); END;
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.size < OLD.size OR NEW.base_size < OLD.base_size OR NEW.checkpoint_size < OLD.checkpoint_size
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head cannot be deleted'); END;
