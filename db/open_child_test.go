package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// openChildEnv names the data dir TestOpenChild opens.
const openChildEnv = "AIEX_DB_TEST_OPEN_DIR"

// openInChild opens dir in a process of its own and returns the error it
// got ("" if Open succeeded): a store whose open fails half way leaves
// rqlite's goroutines and files behind it (rqlite cleans up only a store
// that opened), which a one-shot command's exit ends but this package's
// leak check would not.
func openInChild(t *testing.T, dir string) (msg string, user bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), openChildEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("open in a child process: %v\n%s", err, out)
	}
	res, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "result: ")
	if !ok {
		t.Fatalf("child process said:\n%s", out)
	}
	res, _, _ = strings.Cut(res, "\n")
	user = strings.HasPrefix(res, "user ")
	res = strings.TrimPrefix(strings.TrimPrefix(res, "user "), "other ")
	if res == "ok" {
		res = ""
	}
	return res, user
}

// TestOpenChild is the child process of openInChild; it does nothing in a
// normal run.
func TestOpenChild(t *testing.T) {
	dir := os.Getenv(openChildEnv)
	if dir == "" {
		t.Skip("the child process of openInChild")
	}
	ctx := context.Background()
	s, err := db.Open(ctx, db.Config{Dir: dir})
	switch {
	case err == nil:
		fmt.Println("result: ok")
		s.Close(ctx)
	case errors.As(err, new(*usererr.Error)):
		fmt.Println("result: user " + strings.ReplaceAll(err.Error(), "\n", `\n`))
	default:
		fmt.Println("result: other " + strings.ReplaceAll(err.Error(), "\n", `\n`))
	}
	os.Exit(0) // no leak check: that is the point
}
