package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// TestOpenNodeIDFileLost: a solo data dir whose node-id file was emptied,
// deleted, garbled or edited says so and which ID to write back, instead
// of claiming that the dir left a cluster it never joined; the ID written
// back opens the store with its data.
func TestOpenNodeIDFileLost(t *testing.T) {
	for _, tc := range []struct {
		name, content string // content "-" deletes the file
		want          string
	}{
		{"emptied", "", "is empty"},
		{"blank", " \n", "is empty"},
		{"deleted", "-", "is missing"},
		{"garbled", "\x00\x01\xff", "is damaged"},
		{"edited", "someone-else\n", "names node someone-else, but this data dir's store belongs to node "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeRows(t, dir, -1, 2, 10)
			path := filepath.Join(dir, "node-id")
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			id := strings.TrimSpace(string(orig))
			if tc.content == "-" {
				err = os.Remove(path)
			} else {
				err = os.WriteFile(path, []byte(tc.content), 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			s, err := db.Open(context.Background(), db.Config{Dir: dir})
			if err == nil {
				s.Close(context.Background())
				t.Fatal("Open succeeded with the node-id file " + tc.name)
			}
			var ue *usererr.Error
			msg := err.Error()
			if !errors.As(err, &ue) || !strings.Contains(msg, path) || !strings.Contains(msg, tc.want) ||
				!strings.Contains(msg, "echo "+id+" > "+path) || strings.Contains(msg, "left its cluster") {
				t.Fatalf("Open: %v; want it to say the node-id file %s and to write back %s", err, tc.want, id)
			}
			// Do as it says.
			if err := os.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, dir); n != 2 {
				t.Fatalf("rows after writing the ID back = %d; want 2", n)
			}
		})
	}
}
