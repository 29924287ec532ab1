// Package mesh is how aiex nodes reach each other: one authenticated
// listener per node, a dialer, and the identity of whoever is on the other
// end of a connection.
//
// Two transports implement [Transport]:
//
//   - [TCP] runs mutual TLS 1.3 over plain TCP. Every node holds the same
//     cluster [Key]; the key deterministically derives a cluster CA, each node
//     signs a fresh leaf certificate with it at start, and both ends of every
//     connection verify the other's certificate against that CA. A peer
//     without the key never gets past Accept.
//   - [Tailnet] runs over Tailscale (tsnet, in-process). WireGuard already
//     authenticates and encrypts; the listener asks the tailnet who a peer is
//     (user login, tags) and checks it against a [Policy].
//
// Both listeners authenticate and authorise in the background: Accept only
// ever returns connections from allowed peers, refusals go to the logger and
// to an optional OnRefused callback, and one slow client cannot hold up the
// others.
//
// [Mux], [Layer] and [Dialer] put rqlite's one-byte-header multiplexer on a
// mesh listener, so Raft and rqlite's cluster service run over either
// transport. Package meshtest starts in-process tailnets for tests.
//
// See DESIGN.md for the certificate scheme, the policy rules and measured
// figures.
package mesh
