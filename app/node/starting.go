package node

import (
	"fmt"
	"path/filepath"

	"github.com/aiex-dev/aiex/db"
)

// StartingNode describes an aiex node that holds a data dir and does not
// serve its socket yet: one starting, which may take a while (joining its
// cluster, waiting for a leader, catching up with it: db.Open bounds these
// at its open timeout plus the leader's longest replication retry).
type StartingNode struct {
	PID     int
	Stopped bool // stopped by a signal (Ctrl+Z) or a debugger
}

// Starting reports whether the process holding dataDir's lock is an aiex
// node (aiex node run, by its command line) that serves no socket yet.
// Where the process's command line cannot be read (not Linux), ok is
// false: the caller waits for the holder as for any other.
func Starting(dataDir string) (n StartingNode, ok bool) {
	who, busy := db.DirBusy(dataDir)
	if !busy {
		return n, false
	}
	if _, err := fmt.Sscanf(who, "PID %d", &n.PID); err != nil || n.PID <= 0 {
		return n, false
	}
	if processKind(processArgs(n.PID)) != "the aiex node" || socketPeer(filepath.Join(dataDir, SocketName)) != 0 {
		return n, false
	}
	st := db.ProcessState(n.PID)
	n.Stopped = st == 'T' || st == 't'
	return n, true
}
