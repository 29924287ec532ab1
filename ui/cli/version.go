package cli

import (
	"fmt"
	"runtime"

	"github.com/aiex-dev/aiex/app"
)

// VersionCmd prints version information. It opens nothing.
type VersionCmd struct{}

type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
	SQLite  string `json:"sqlite"`
	// SchemaVersion is the newest store schema this aiex knows: a data
	// dir a newer aiex used is refused (a later schema), and one an older
	// aiex used is migrated on first use. status names the store's own
	// by the same name.
	SchemaVersion int    `json:"schema_version"`
	OS            string `json:"os"`
	Arch          string `json:"arch"`
}

// Run prints the version.
func (v *VersionCmd) Run(c *Context) error {
	info := versionInfo{
		Version:       c.Build.Version,
		Commit:        c.Build.Commit,
		Go:            runtime.Version(),
		SQLite:        app.SQLiteVersion(),
		SchemaVersion: app.KnownSchema(),
		OS:            runtime.GOOS,
		Arch:          runtime.GOARCH,
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(info)
	}
	_, err := fmt.Fprintf(c.Out.Out, "aiex %s (commit %s)\ngo %s, sqlite %s, store schema v%d, %s/%s\n",
		info.Version, info.Commit, info.Go, info.SQLite, info.SchemaVersion, info.OS, info.Arch)
	return err
}
