package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aiex-dev/aiex/app/usererr"
)

// checkOutFile checks path, the value of flag, as a file to create or
// replace before anything is done, so that a mistake gets a sentence
// naming the flag and the path rather than a failed rename of a
// temporary file: path must not be a directory (a usage error, exit 2),
// and its directory must exist (exit 1, as for any path that cannot be
// written).
func checkOutFile(flag, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usererr.Usage("%s %s is a directory; give a file name, e.g. %s", flag, path, filepath.Join(path, "NAME"))
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usererr.Wrap(err, "cannot write %s (%s): directory %s does not exist; create it first, or give a path in an existing directory", path, flag, dir)
	case err != nil:
		return usererr.Wrap(err, "cannot write %s (%s): %s", path, flag, errorsText(err))
	case !fi.IsDir():
		return usererr.New("cannot write %s (%s): %s is not a directory", path, flag, dir)
	}
	return nil
}
