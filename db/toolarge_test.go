package db

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// TestFileTooLargeSaysSo: a write or an open that failed because a file
// of the store could not grow past the process's file size limit (ulimit
// -f: EFBIG, "file too large") says so and what to do, not that the
// disk is full, nor "node is not the leader" or a damaged snapshot.
func TestFileTooLargeSaysSo(t *testing.T) {
	dir := t.TempDir()
	for _, err := range []error{
		fmt.Errorf("replay log: %w", syscall.EFBIG),
		errors.New(`unable to store logs within log store, err: "file resize error: truncate /d/store/raft.db: file too large"`),
	} {
		got := openDiskFull(dir, err)
		ue := usererr.As(got)
		if ue == nil || !strings.Contains(ue.Msg, "cannot grow past this process's file size limit (ulimit -f") || !strings.Contains(ue.Msg, dir) {
			t.Errorf("openDiskFull(%v) = %v; want the file size limit said", err, got)
		}
		s := &Store{dir: dir}
		w := s.diskFull(fmt.Errorf("db.Execute: %w", err))
		var full *DiskFullError
		if ue := usererr.As(w); ue == nil || !strings.Contains(ue.Msg, "file size limit") || !errors.As(w, &full) || !strings.Contains(full.Cause(), "raise the limit") {
			t.Errorf("diskFull(%v) = %v; want the file size limit said, as a DiskFullError", err, w)
		}
	}
	if c := (&DiskFullError{Dir: "/d"}).Cause(); c != "the disk holding the data dir /d is full; free some space there" {
		t.Errorf("a full disk's cause: %q", c)
	}
}
