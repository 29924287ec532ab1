package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// TestStoreNoticesDirLost: a data dir deleted, or moved and replaced,
// under an open store closes Lost with an error saying so; an untouched
// one does not.
func TestStoreNoticesDirLost(t *testing.T) {
	old := db.SetLostEvery(20 * time.Millisecond)
	t.Cleanup(func() { db.SetLostEvery(old) })
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		lose func(dir string) error
	}{
		{"deleted", os.RemoveAll},
		{"replaced", func(dir string) error {
			if err := os.Rename(dir, dir+".old"); err != nil {
				return err
			}
			return os.MkdirAll(filepath.Join(dir, "store"), 0o700)
		}},
		{"untouched", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			s := open(t, dir)
			defer s.Close(ctx)
			if tc.lose == nil {
				select {
				case <-s.Lost():
					t.Fatalf("Lost closed for an untouched dir: %v", s.LostErr())
				case <-time.After(200 * time.Millisecond):
				}
				if s.LostErr() != nil {
					t.Fatal(s.LostErr())
				}
				return
			}
			if s.LostErr() != nil {
				t.Fatal("LostErr before the dir was lost")
			}
			if err := tc.lose(dir); err != nil {
				t.Fatal(err)
			}
			select {
			case <-s.Lost():
			case <-time.After(5 * time.Second):
				t.Fatal("the store did not notice its data dir was " + tc.name)
			}
			err := s.LostErr()
			var ue *usererr.Error
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), "data dir "+dir+" was deleted or replaced") {
				t.Fatalf("LostErr = %v", err)
			}
		})
	}
}
