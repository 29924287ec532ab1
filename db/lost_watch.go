package db

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
)

// A data dir deleted (rm -rf) or moved while a long-running process (the
// node, the TUI) has it open goes unnoticed by the store: Raft and SQLite
// go on writing to files that no longer have a name, and all of it is
// lost when the process exits. Meanwhile the path looks free: another
// process opens a new store there. So the store looks every lostEvery,
// with two stats, whether its lock file and store directory are still the
// files it opened (same device and inode), and when they are not it
// closes Lost(); the process should stop and say LostErr.

// lostEvery is how often the store checks that its data dir is still there.
var lostEvery = 2 * time.Second

// lostWatch is the goroutine that checks the data dir, owned by the store.
type lostWatch struct {
	lost chan struct{} // closed when the dir is found gone
	err  error         // set before lost is closed
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// watchDir starts checking that the data dir's lock file and store
// directory are the ones opened; stopped by stopWatch.
func (s *Store) watchDir() {
	w := &s.dirWatch
	w.stop, w.done = make(chan struct{}), make(chan struct{})
	paths := []string{filepath.Join(s.dir, lockFile), filepath.Join(s.dir, storeDirName)}
	opened := make([]os.FileInfo, len(paths))
	for i, p := range paths {
		var err error
		if opened[i], err = os.Stat(p); err != nil {
			close(w.done)
			return // not there at open: nothing to compare with
		}
	}
	every := lostEvery
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
			for i, p := range paths {
				if now, err := os.Stat(p); err != nil || !os.SameFile(now, opened[i]) {
					w.err = &usererr.Error{Msg: fmt.Sprintf("data dir %s was deleted or replaced while this process had it open (%s is gone): what was written since then is lost; stop this process, then restore the dir from a backup or start again on it",
						s.dir, p)}
					close(w.lostCh())
					return
				}
			}
		}
	}()
}

func (w *lostWatch) lostCh() chan struct{} {
	w.once.Do(func() { w.lost = make(chan struct{}) })
	return w.lost
}

// stopWatch stops the goroutine of watchDir, if it runs.
func (s *Store) stopWatch() {
	if s.dirWatch.stop == nil {
		return
	}
	select {
	case <-s.dirWatch.stop:
	default:
		close(s.dirWatch.stop)
	}
	<-s.dirWatch.done
}

// Lost is closed when the data dir this store opened was found deleted or
// replaced (checked every 2 s): everything the store writes from then on
// is lost when the process exits. A long-running process stops, with
// LostErr as its error.
func (s *Store) Lost() <-chan struct{} { return s.dirWatch.lostCh() }

// LostErr says what happened to the data dir once Lost is closed; nil
// before.
func (s *Store) LostErr() error {
	select {
	case <-s.dirWatch.lostCh():
		return s.dirWatch.err
	default:
		return nil
	}
}
