package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/usererr"
)

// missingPath is err, the failure of a command given target (context,
// explain, refactor, gen tests, ask's --target), or, when target is a
// path where nothing is that names no symbol either, a usage mistake
// saying so: as aiex chunks and aiex index say a path that does not
// exist, and with the same exit code.
//
// Whether a target is a path or a symbol is the index's to decide
// (ctxbuild resolves it; Game.go may be an Elixir function), so only a
// target it found nothing for is looked at: the error is ctxbuild's "no
// file or symbol" (which has no type of its own), its suggestion kept.
func missingPath(target string, err error) error {
	ue := usererr.As(err)
	if ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.HasPrefix(ue.Msg, notFoundPrefix) {
		return err
	}
	path := target
	for range 2 { // PATH:LINE, PATH:LINE:COL
		if i := strings.LastIndexByte(path, ':'); i > 0 {
			if _, aerr := strconv.Atoi(path[i+1:]); aerr == nil {
				path = path[:i]
			}
		}
	}
	if !pathLike(path) || there(path) {
		return err
	}
	hint := "give PATH, PATH:LINE or a symbol name"
	if i := strings.LastIndex(ue.Msg, "; did you mean "); i >= 0 {
		hint = ue.Msg[i+2:]
	}
	return &usererr.Error{Msg: fmt.Sprintf("%s does not exist, and the index holds no symbol of that name; %s", shown(path), hint),
		Code: usererr.ExitUsage, Err: err}
}

// notFoundPrefix starts ctxbuild's error for a target that names nothing.
const notFoundPrefix = "no file or symbol "

// pathLike reports whether p reads as a path rather than a symbol: it
// starts as only a path does (./, ../, /, ~/), it ends in a slash as a
// directory does, or it ends in a file's extension (.go, .ex, .md:
// lower-case letters and digits), which no exported Go name and no Elixir
// module has.
func pathLike(p string) bool {
	for _, prefix := range []string{"./", "../", "/", "~/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	if strings.HasSuffix(p, "/") {
		return true
	}
	base := p[strings.LastIndexByte(p, '/')+1:]
	i := strings.LastIndexByte(base, '.')
	if i <= 0 || i == len(base)-1 || len(base)-i > 9 {
		return false
	}
	for _, r := range base[i+1:] {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// there reports whether something is at path as aiex reads a path the
// user typed (ctxbuild.AbsPath): relative to the current directory, else
// to the project's root.
func there(path string) bool {
	root, err := projectRoot()
	if err != nil {
		return true // no project to judge it in: leave the error as it is
	}
	abs, err := ctxbuild.AbsPath(root, path, ctxbuild.FromCwd)
	if err != nil {
		return true
	}
	_, err = os.Lstat(abs)
	return err == nil
}
