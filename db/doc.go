// Package db embeds the replicated store: an rqlite node (Raft-replicated
// SQLite) running inside the aiex process.
//
// Open takes an exclusive lock on the data dir, opens the node, bootstraps it
// on first use (never again after), waits until it leads, and applies the
// embedded migrations. Writes go through Raft (Execute); reads are local
// (Query at level NONE). The typed helpers in queries_*.go are what the rest
// of aiex calls; capabilities declare the small interfaces they need.
//
// With Config.Cluster set, the store is one node of a replicated cluster over
// two network layers the caller supplies (Raft and rqlite's cluster
// service): Open bootstraps or joins, follower writes are forwarded to the
// leader, a write with no reachable leader fails with ErrNoQuorum, and
// TailEvents follows the events table across nodes.
//
// See DESIGN.md for the layout of the data dir, the open and close orders
// and the timings of both modes.
package db
