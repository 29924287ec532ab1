package checkpoint_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aiex-dev/aiex/app/checkpoint"
)

func TestProjectOf(t *testing.T) {
	cases := []struct{ config, key string }{
		{"[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://user@GitHub.com/org/repo.git\n", "git:github.com/org/repo"},
		{"[remote \"origin\"]\n\turl = git@github.com:org/repo.git\n", "git:github.com/org/repo"},
		{"[remote \"origin\"]\n\turl = ssh://git@github.com:22/org/repo\n", "git:github.com/org/repo"},
		{"[remote \"fork\"]\n\turl = https://example.com/me/repo\n[remote \"origin\"]\n\turl = https://example.com/org/repo/\n", "git:example.com/org/repo"},
		{"[remote \"fork\"]\n\turl = https://example.com/me/repo\n", "git:example.com/me/repo"},
		{"[core]\n\tbare = false\n", ""},
	}
	for _, c := range cases {
		root := t.TempDir()
		if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, ".git", "config"), []byte(c.config), 0o644); err != nil {
			t.Fatal(err)
		}
		want := c.key
		if want == "" {
			want = "path:" + filepath.ToSlash(root)
		}
		if got := checkpoint.ProjectOf(root); got.Key != want || got.Root != root {
			t.Errorf("%q: %+v, want key %s", c.config, got, want)
		}
	}
	// A worktree: .git is a file naming the git dir, whose commondir has
	// the config.
	main := t.TempDir()
	wtGit := filepath.Join(main, ".git", "worktrees", "wt")
	if err := os.MkdirAll(wtGit, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(main, ".git", "config"), []byte(cases[0].config), 0o644)
	os.WriteFile(filepath.Join(wtGit, "commondir"), []byte("../..\n"), 0o644)
	wt := t.TempDir()
	os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: "+wtGit+"\n"), 0o644)
	if got := checkpoint.ProjectOf(wt); got.Key != "git:github.com/org/repo" {
		t.Errorf("worktree: %+v", got)
	}
}
