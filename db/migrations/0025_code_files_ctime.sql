-- A file's inode change time (ctime) beside its mtime. An edit that keeps
-- the size and puts the mtime back (touch -r, cp -p, rsync -t, tools that
-- keep mtimes) changes the ctime, which no one can set back: app/index
-- reads a file again when either differs from its row. 0 where the system
-- has none, and in the rows of earlier versions: their files are read
-- once more (only hashed, when their content is as indexed).
-- Statements end with ";" at the end of a line (see migrate.go).
ALTER TABLE code_files ADD COLUMN ctime_ns INTEGER NOT NULL DEFAULT 0;
