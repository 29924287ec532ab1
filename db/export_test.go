package db

import "context"

// Crash closes s the way a crash would leave its peers: no stepdown, no
// snapshot. Cut the node's network first so that nothing more goes out.
func Crash(s *Store) error { return s.closeWith(context.Background(), false) }
