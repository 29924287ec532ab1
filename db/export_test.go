package db

import "context"

// Crash closes s the way a crash would leave its peers: no stepdown, no
// snapshot. Cut the node's network first so that nothing more goes out.
func Crash(s *Store) error { return s.closeWith(context.Background(), false) }

// PendWrite makes s take idx for this process's latest write, as if it had
// made a write it has not applied yet.
func PendWrite(s *Store, idx uint64) { raiseTo(&s.lastWrite, idx) }
