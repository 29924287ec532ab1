-- Checkpoints (app/checkpoint): what the assistant's writes changed, so that
-- any of them can be undone. A checkpoint is an event stream
-- ("checkpoint/<id>" in events) projected into checkpoints,
-- checkpoint_files and checkpoint_tags in the same Raft transaction;
-- `aiex events replay` rebuilds those three tables from the log. The
-- contents of files are content-addressed blobs, stored once however many
-- checkpoints refer to them; they are not a projection (a replay leaves
-- them alone), and pruning deletes those no checkpoint refers to any more.
-- Statements end with ";" at the end of a line (see migrate.go).

-- blobs: file contents by the SHA-256 of their bytes.
CREATE TABLE blobs (
	hash       TEXT PRIMARY KEY,         -- hex SHA-256 of the content
	size       INTEGER NOT NULL,         -- bytes of the content
	enc        TEXT NOT NULL DEFAULT '', -- '' stored as it is, 'zstd' compressed
	data       BLOB NOT NULL,
	created_at INTEGER NOT NULL          -- Unix ms of the first store
);

-- checkpoints: one row per checkpoint not pruned. version is the version
-- of its stream the row reflects.
CREATE TABLE checkpoints (
	id         TEXT PRIMARY KEY,
	version    INTEGER NOT NULL,
	project    TEXT NOT NULL,            -- the project key (git remote, else path:ROOT)
	root       TEXT NOT NULL,            -- the project's root where it was made
	session_id TEXT NOT NULL DEFAULT '', -- the session and turn whose write it was
	turn       INTEGER NOT NULL DEFAULT 0,
	reason     TEXT NOT NULL,            -- refactor, gen module, restore, …
	label      TEXT NOT NULL DEFAULT '',
	restore_of TEXT NOT NULL DEFAULT '', -- the checkpoint a restore undid
	status     TEXT NOT NULL,            -- applying, applied, rolled_back, failed
	error      TEXT NOT NULL DEFAULT '', -- why it was rolled back
	files      INTEGER NOT NULL,
	node       TEXT NOT NULL,
	actor      TEXT NOT NULL,
	created_at INTEGER NOT NULL,         -- Unix ms
	updated_at INTEGER NOT NULL          -- Unix ms of its last event
);
CREATE INDEX checkpoints_project ON checkpoints (project, created_at);
CREATE INDEX checkpoints_session ON checkpoints (session_id, turn);

-- checkpoint_files: each file a checkpoint changed, before and after. A
-- hash of '' means the file did not exist (before: restore deletes it;
-- after: the write deleted it). Paths are relative to the project root,
-- with forward slashes.
CREATE TABLE checkpoint_files (
	checkpoint_id TEXT NOT NULL,
	path          TEXT NOT NULL,
	before_hash   TEXT NOT NULL,
	before_size   INTEGER NOT NULL,
	before_mode   INTEGER NOT NULL,      -- permission bits
	after_hash    TEXT NOT NULL,
	after_size    INTEGER NOT NULL,
	after_mode    INTEGER NOT NULL,
	PRIMARY KEY (checkpoint_id, path)
) WITHOUT ROWID;
CREATE INDEX checkpoint_files_before ON checkpoint_files (before_hash);
CREATE INDEX checkpoint_files_after ON checkpoint_files (after_hash);
CREATE INDEX checkpoint_files_path ON checkpoint_files (path, after_hash);

-- checkpoint_tags: names given to checkpoints; a tagged checkpoint is never
-- pruned.
CREATE TABLE checkpoint_tags (
	checkpoint_id TEXT NOT NULL,
	tag           TEXT NOT NULL,
	PRIMARY KEY (checkpoint_id, tag)
) WITHOUT ROWID;
CREATE INDEX checkpoint_tags_tag ON checkpoint_tags (tag);
