package db_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// TestOpenNodeIDFileBadChars: a hand-written node-id file naming an ID
// with spaces or unprintable characters is refused at first use, as a
// usage mistake saying what a node ID may hold, and creates no store:
// later opens could not tell that ID from a damaged file.
func TestOpenNodeIDFileBadChars(t *testing.T) {
	for _, content := range []string{"my node\n", "bad id\n\x01", "tab\there"} {
		t.Run(strings.TrimSpace(content), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "node-id")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := db.Open(context.Background(), db.Config{Dir: dir})
			if err == nil {
				s.Close(context.Background())
				t.Fatalf("Open succeeded with node ID %q", content)
			}
			ue := usererr.As(err)
			if ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.Contains(ue.Msg, path) ||
				!strings.Contains(ue.Msg, "without spaces") || strings.ContainsAny(ue.Msg, "\n\x01") {
				t.Fatalf("Open: %v; want a one-line usage error naming %s and what a node ID may hold", err, path)
			}
			if _, err := os.Stat(filepath.Join(dir, "store", "raft.db")); err == nil {
				t.Fatal("a store was created under the refused ID")
			}
			// Doing as it says (a new ID) opens.
			if err := os.WriteFile(path, []byte("my-node\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			s = open(t, dir)
			if id := s.NodeID(); id != "my-node" {
				t.Errorf("NodeID = %q; want my-node", id)
			}
			s.Close(context.Background())
		})
	}
}

// TestOpenLegacyNodeIDWithSpace: a store that older builds created under
// an ID with a space (or worse) still opens from its node-id file, and
// when that file is lost, the command the error gives to write it back
// works.
func TestOpenLegacyNodeIDWithSpace(t *testing.T) {
	for _, id := range []string{"my node", "bad id\n\x01"} {
		t.Run(strings.Fields(id)[0], func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			path := filepath.Join(dir, "node-id")
			// What an older build did: take the file's trimmed text as it was.
			if err := os.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := db.Open(ctx, db.Config{Dir: dir, NodeID: id})
			if err != nil {
				t.Fatal(err)
			}
			s.Close(ctx)
			if n := countRows(t, dir); n != 0 {
				t.Fatalf("rows = %d; want 0", n)
			}

			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			_, err = db.Open(ctx, db.Config{Dir: dir})
			if err == nil {
				t.Fatal("Open succeeded without the node-id file")
			}
			msg := err.Error()
			i := strings.Index(msg, "write that back (")
			j := strings.Index(msg, ") and run")
			if strings.ContainsAny(msg, "\n\x01") || i < 0 || j < i {
				t.Fatalf("Open: %q; want one line with a command that writes the ID back", msg)
			}
			cmd := msg[i+len("write that back (") : j]
			if out, err := exec.Command("sh", "-c", cmd).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", cmd, err, out)
			}
			s = open(t, dir)
			if got := s.NodeID(); got != id {
				t.Errorf("NodeID after %s = %q; want %q", cmd, got, id)
			}
			s.Close(ctx)
		})
	}
}
