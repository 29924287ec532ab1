package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// A bad --tsnet host name is refused as --name is: a usage mistake naming
// the flag, said before the node joins the tailnet or makes its data dir.
func TestNodeRunRefusesBadTsnetName(t *testing.T) {
	for _, name := range []string{"a b", "a/b", strings.Repeat("n", 80)} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			r := runCLI(t, false, nil, "--data-dir", dir, "node", "run", "--tsnet", name, "--control-url", "http://127.0.0.1:9")
			usageLine(t, r, `--tsnet "`+name+`": a host name is 1 to 63 letters, digits`)
			noDataDir(t, dir)
		})
	}
}
