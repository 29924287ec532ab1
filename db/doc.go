// Package db embeds the replicated store: an rqlite node (Raft-replicated
// SQLite) running inside the aiex process.
//
// Open takes an exclusive lock on the data dir, opens the node, bootstraps it
// on first use (never again after), waits until it leads, and applies the
// embedded migrations. Writes go through Raft (Execute); reads are local
// (Query at level NONE). The typed helpers in queries_*.go are what the rest
// of aiex calls; capabilities declare the small interfaces they need.
//
// See DESIGN.md for the layout of the data dir and the single-node timings.
package db
