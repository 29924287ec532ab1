package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckpointTagRefusesBadNamesFirst: a tag the core would refuse is a
// usage mistake said before the store opens, so it leaves no data dir
// behind; so is taking off a tag no checkpoint can carry.
func TestCheckpointTagRefusesBadNamesFirst(t *testing.T) {
	cases := []struct {
		tag, want string
		remove    bool
	}{
		{"bad tag", `tag "bad tag": use letters, digits`, false},
		{".v1", `tag ".v1": use letters, digits`, false},
		{"beef", `tag "beef" looks like a checkpoint id`, false},
		{"last", `tag "last" would read as the newest checkpoint`, false},
		{"bad tag", `tag "bad tag": use letters, digits`, true},
	}
	for _, tc := range cases {
		args := []string{"checkpoint", "tag", "last", tc.tag}
		if tc.remove {
			args = append(args, "--remove")
		}
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			r := runCLI(t, false, nil, append([]string{"--data-dir", dir}, args...)...)
			usageLine(t, r, tc.want)
			noDataDir(t, dir)
		})
	}
}
