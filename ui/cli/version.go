package cli

import (
	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/ui/cli/fastpath"
)

// VersionCmd prints version information. It opens nothing.
//
// The binary answers aiex version before this runs (package fastpath),
// with the store's facts it was built with; this prints them as the store
// package has them, and a test keeps the two the same.
type VersionCmd struct{}

// Run prints the version.
func (v *VersionCmd) Run(c *Context) error {
	info := fastpath.Info(c.Build.Version, c.Build.Commit, app.SQLiteVersion(), app.KnownSchema())
	return fastpath.WriteVersion(c.Out.Out, info, c.Out.JSON)
}
