-- code_id_base: where the chunk ids of the code write being applied start.
-- A write's first statement sets it to the largest chunk id + 1, and its
-- statements give new chunks base + their offset in the write: ids are
-- allocated in the order writes are applied, so index runs in other
-- processes or on other nodes never pick the same ids.
CREATE TABLE code_id_base (
	k    INTEGER PRIMARY KEY CHECK (k = 0),
	base INTEGER NOT NULL
);
