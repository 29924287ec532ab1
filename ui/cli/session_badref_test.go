package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSessionRefEmptyOpensNoStore: a session reference that can name no
// session (empty, or new where one must exist) and an empty --target are
// usage mistakes, refused before the store is opened. (One too short to be
// a prefix goes to the store, which names the sessions it may have meant.)
func TestSessionRefEmptyOpensNoStore(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"session", "show", ""}, "name the session to show"},
		{[]string{"session", "show", "new"}, "name a session that exists to show"},
		{[]string{"session", "export", " "}, "name the session to export"},
		{[]string{"session", "resume", ""}, "name the session to resume"},
		{[]string{"session", "archive", ""}, "name the session to archive"},
		{[]string{"session", "unarchive", "new"}, "name a session that exists"},
		{[]string{"session", "rm", ""}, "name the session to remove"},
		{[]string{"ask", "--session", "", "hi"}, "--session needs a value"},
		{[]string{"explain", "--session", " ", "calc.go"}, "--session needs a value"},
		{[]string{"ask", "--target", "", "hi"}, "--target is empty"},
		{[]string{"ask", "--target= ", "hi"}, "--target is empty"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			r := runCLI(t, false, nil, append([]string{"--data-dir", dir}, tc.args...)...)
			usageLine(t, r, tc.want)
			noDataDir(t, dir)
		})
	}
}
