// Package index keeps a project's code index in the store: its files' chunks
// (app/chunk), a full-text index over their words, and a symbol graph of
// which chunk refers to which.
//
// Indexer.Index walks a project as git sees it (.gitignore files apply,
// .git is skipped), reads only the files whose size or modification time
// changed since the last run, and takes their chunks from the store's
// analysis cache, keyed by content hash, before chunking anything itself:
// no node analyses the same content twice. Workers read and chunk on every
// core while one writer batches the rows into a few large transactions.
// Files that cannot be indexed (binary, not UTF-8, too large, symlink
// loops, unreadable) are listed in the Summary with the reason; source
// that does not parse is chunked anyway, with warnings.
//
// DESIGN.md describes the tables, the write path and the measurements that
// shaped them.
package index
