package checkpoint

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

// Project is a project checkpoints are kept for: its root on this node
// and the key that names it on every node. Two checkouts of one repository
// share a key, so a checkpoint made in one (on any node) restores in the
// other: its paths are relative to the root.
type Project struct {
	Root string `json:"root"` // absolute
	Key  string `json:"key"`  // "" means ProjectOf's
}

// ProjectOf is the project rooted at root: its key is the repository's
// remote ("git:github.com/org/repo": the origin's URL, else the first
// remote's, without scheme, user or ".git"), or, for a directory that is
// not a git checkout with a remote, "path:" and the root itself.
func ProjectOf(root string) Project {
	if key := gitKey(root); key != "" {
		return Project{Root: root, Key: key}
	}
	return Project{Root: root, Key: pathKey(root)}
}

func pathKey(root string) string { return "path:" + filepath.ToSlash(filepath.Clean(root)) }

// ProjectName is the project key as people read it: the root of a
// project keyed by its path, as sessions show their project (the "path:"
// form is the store's, telling it from a repository's key), and a
// repository's key as it is, naming the repository whichever checkout
// made the checkpoint (its Root says which).
func ProjectName(key string) string {
	if p, ok := strings.CutPrefix(key, "path:"); ok {
		return filepath.FromSlash(p)
	}
	return key
}

// gitKey reads the repository's config (.git/config, or for a worktree
// the common dir's) and returns its remote's key, or "".
func gitKey(root string) string {
	gitDir := filepath.Join(root, ".git")
	fi, err := os.Stat(gitDir)
	if err != nil {
		return ""
	}
	if !fi.IsDir() { // a worktree or submodule: "gitdir: PATH"
		b, err := os.ReadFile(gitDir)
		if err != nil {
			return ""
		}
		dir, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
		if !ok {
			return ""
		}
		gitDir = strings.TrimSpace(dir)
		if !filepath.IsAbs(gitDir) {
			gitDir = filepath.Join(root, gitDir)
		}
		if c, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
			common := strings.TrimSpace(string(c))
			if !filepath.IsAbs(common) {
				common = filepath.Join(gitDir, common)
			}
			gitDir = common
		}
	}
	cfg, err := os.ReadFile(filepath.Join(gitDir, "config"))
	if err != nil {
		return ""
	}
	if u := remoteURL(cfg); u != "" {
		return "git:" + normalizeRemote(u)
	}
	return ""
}

// remoteURL is the url of remote "origin" in a git config file, else of
// the first remote that has one.
func remoteURL(cfg []byte) string {
	var remote, firstURL string
	sc := bufio.NewScanner(bytes.NewReader(cfg))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			remote = ""
			if name, ok := strings.CutPrefix(line, "[remote "); ok {
				remote = strings.Trim(strings.TrimSuffix(name, "]"), `" `)
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if remote == "" || !ok || !strings.EqualFold(strings.TrimSpace(k), "url") {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		if remote == "origin" {
			return v
		}
		if firstURL == "" {
			firstURL = v
		}
	}
	return firstURL
}

// normalizeRemote makes the URLs of one repository equal:
// https://user@host/org/repo.git, ssh://git@host:22/org/repo and
// git@host:org/repo all give host/org/repo.
func normalizeRemote(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if at := strings.LastIndex(strings.SplitN(u, "/", 2)[0], "@"); at >= 0 {
			u = u[at+1:]
		}
		host, rest, _ := strings.Cut(u, "/")
		if h, _, ok := strings.Cut(host, ":"); ok { // a port
			host = h
		}
		u = strings.ToLower(host) + "/" + rest
	} else if host, rest, ok := strings.Cut(u, ":"); ok && !strings.Contains(host, "/") { // scp form
		if at := strings.LastIndex(host, "@"); at >= 0 {
			host = host[at+1:]
		}
		u = strings.ToLower(host) + "/" + rest
	}
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	return u
}
