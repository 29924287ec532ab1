-- code_fts without its copy of the words it indexed (app/index/DESIGN.md,
-- "Lexical index"). Nothing reads them back: searches ask MATCH and bm25,
-- and the code itself is read from the files. They were a quarter of the
-- store of an indexed standard library, which every open copies and every
-- index run writes through Raft's single apply thread.
-- Statements end with ";" at the end of a line (see migrate.go).
--
-- content = '' keeps no text; contentless_delete = 1 lets a row be deleted
-- by its rowid alone (SQLite 3.43 and later), as the drops of a re-index
-- do. detail = full, where the table had detail = column: FTS5 counts a
-- column's hits for bm25 from the positions in the index, and with
-- detail = column it tokenizes the stored text again to find them; a
-- contentless table has none, and bm25 would be 0 for every row. The
-- positions cost ~8 MB on the standard library against 37 MB of text, and
-- bm25 gives the same scores as before. The rows' words are copied from
-- the old table, which still has them, so no project is indexed again.
CREATE VIRTUAL TABLE code_fts_new USING fts5(name, body, content = '', contentless_delete = 1, tokenize = "unicode61 tokenchars '_'");
INSERT INTO code_fts_new (rowid, name, body) SELECT rowid, name, body FROM code_fts;
DROP TABLE code_fts_terms;
DROP TABLE code_fts;
ALTER TABLE code_fts_new RENAME TO code_fts;
CREATE VIRTUAL TABLE code_fts_terms USING fts5vocab(code_fts, row);
