package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// goDirs are the Go build cache and module cache of the go command a
// child started with env would run: GOCACHE and GOMODCACHE as `go env`
// reports them, which weighs the variables, the go env file (`go env -w`),
// $XDG_CACHE_HOME and $HOME as the child's go will. Without a go command
// they are what the variables (or the defaults) say. A value that is not
// an absolute path (GOCACHE=off) is "".
func goDirs(env []string) (gocache, modcache string) {
	key := goEnvKey(env)
	goEnvMu.Lock()
	defer goEnvMu.Unlock()
	if d, ok := goEnvCache[key]; ok {
		return d[0], d[1]
	}
	gocache, modcache = askGoEnv(env)
	if gocache == "" && modcache == "" {
		gocache, modcache = goDirsByEnv(env)
	}
	goEnvCache[key] = [2]string{gocache, modcache}
	return gocache, modcache
}

var (
	goEnvMu    sync.Mutex
	goEnvCache = map[string][2]string{}
)

// goEnvVars are the variables that decide where the go command keeps its
// caches.
var goEnvVars = []string{"HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "GOENV", "GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT"}

// goEnvKey is the part of env that decides goDirs' answer.
func goEnvKey(env []string) string {
	var b strings.Builder
	for _, v := range goEnvVars {
		b.WriteString(lookupEnv(env, v))
		b.WriteByte(0)
	}
	return b.String()
}

// lookupEnv is the value of name in env; the last setting wins, as for
// exec.Cmd.
func lookupEnv(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}

// askGoEnv runs `go env GOCACHE GOMODCACHE` with env, outside any module
// (a go.mod could make it fetch another toolchain), unconfined: it only
// reads. It returns "" for what it cannot tell.
func askGoEnv(env []string) (gocache, modcache string) {
	goBin, err := exec.LookPath("go") // the go a child's "go" is, as Command finds it
	if err != nil {
		return "", ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "env", "GOCACHE", "GOMODCACHE")
	cmd.Dir = "/"
	cmd.Env = append(env[:len(env):len(env)], "GOTOOLCHAIN=local", "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		return "", ""
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return "", ""
	}
	return absOrEmpty(lines[0]), absOrEmpty(lines[1])
}

// goDirsByEnv is goDirs without a go command: the variables, else the
// go command's defaults.
func goDirsByEnv(env []string) (gocache, modcache string) {
	gocache = lookupEnv(env, "GOCACHE")
	if gocache == "" {
		if cache := lookupEnv(env, "XDG_CACHE_HOME"); filepath.IsAbs(cache) {
			gocache = filepath.Join(cache, "go-build")
		} else if home := lookupEnv(env, "HOME"); home != "" {
			gocache = filepath.Join(home, ".cache", "go-build")
		}
	}
	modcache = lookupEnv(env, "GOMODCACHE")
	if modcache == "" {
		gopath := filepath.SplitList(lookupEnv(env, "GOPATH"))
		if len(gopath) > 0 && gopath[0] != "" {
			modcache = filepath.Join(gopath[0], "pkg", "mod")
		} else if home := lookupEnv(env, "HOME"); home != "" {
			modcache = filepath.Join(home, "go", "pkg", "mod")
		}
	}
	return absOrEmpty(gocache), absOrEmpty(modcache)
}

func absOrEmpty(p string) string {
	p = strings.TrimSpace(p)
	if !filepath.IsAbs(p) {
		return ""
	}
	return filepath.Clean(p)
}

// makeGoCache makes the build cache directory if it is missing, as the
// go command would at its first build, before the child is confined:
// confined, it may write inside the cache but not make it (nor ~/.cache
// above it), so a fresh home would fail every build. Only the cache
// itself is made writable to the child, never its parent.
func makeGoCache(dir string) {
	if dir != "" {
		os.MkdirAll(dir, 0o777) // the go command's own mode; the umask applies
	}
}
