package workflow

import (
	"context"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// vetNew vets the packages pkgs (./rel beneath modRoot, some of which the
// change creates) in a stand-in for the module, made under tmp. go vet
// runs its analysis tool in each package's directory, and an overlay
// cannot make a directory: a package the change creates has none in the
// project, and the project is not written to. The stand-in is the
// module's directory tree with real directories only on the way to the
// new packages (made empty) and a symbolic link to the project's entry
// everywhere else, so it costs a few links, not a copy; the changed files
// are laid over it by an overlay as they are over the project.
//
// The go command sees the stand-in's paths, so the module's packages the
// new ones import are compiled again under them (measured: under 0.1 s
// for a small module, 2–3 s for a new package importing a few packages of
// a 60-package module, cached after that). A go.work above the module
// would not list the stand-in, so a workspace's new package is not
// vetted.
func vetNew(ctx context.Context, o ValidateOptions, modRoot, tmp string, overlay map[string]string, pkgs []string) Check {
	const name = "go vet"
	if work, ok := findUp(modRoot, "go.work"); ok && os.Getenv("GOWORK") != "off" {
		return Check{Name: name, Status: Skipped, Detail: "a new package in the workspace of " + filepath.Join(work, "go.work") +
			": go vet reads a package from its directory, which is not yet on disk"}
	}
	stand := filepath.Join(tmp, "module")
	var created []string
	for _, p := range pkgs {
		if fi, ok := statOK(filepath.Join(modRoot, filepath.FromSlash(p))); !ok || !fi.IsDir() {
			created = append(created, path.Clean(strings.TrimPrefix(p, "./")))
		}
	}
	if err := standIn(modRoot, stand, created); err != nil {
		return Check{Name: name, Status: Failed, Detail: "could not lay out the module to vet its new package: " + err.Error()}
	}
	ov := map[string]string{}
	var names []string
	for f, to := range overlay {
		rel, err := filepath.Rel(modRoot, f)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue // outside the module: not reached through the stand-in
		}
		ov[filepath.Join(stand, rel)] = to
		if to != "" {
			names = append(names, outputNames(stand, to, filepath.Join(stand, rel))...)
		}
	}
	// The stand-in's own paths, where the go command gives them whole,
	// are the project's.
	names = append(names, stand+string(filepath.Separator), modRoot+string(filepath.Separator))
	b, _ := json.Marshal(map[string]any{"Replace": ov})
	ovFile := filepath.Join(tmp, "overlay-vet.json")
	if err := os.WriteFile(ovFile, b, 0o600); err != nil {
		return Check{Name: name, Status: Failed, Detail: err.Error()}
	}
	vet := run(ctx, o, stand, nil, name, "go", append([]string{"vet", "-overlay=" + ovFile}, pkgs...)...)
	vet.Detail = strings.NewReplacer(names...).Replace(vet.Detail)
	return vet
}

// standIn lays out at dst a stand-in for the directory tree at src in
// which each of dirs (slash-separated, relative) is a real, empty
// directory if src lacks it: the directories on the way to them are real
// too, and every other entry is a symbolic link to src's.
func standIn(src, dst string, dirs []string) error {
	real := map[string]bool{".": true}
	for _, d := range dirs {
		for ; d != "." && d != "/" && d != ""; d = path.Dir(d) {
			real[d] = true
		}
	}
	keys := make([]string, 0, len(real))
	for d := range real {
		keys = append(keys, d)
	}
	slices.Sort(keys) // parents before their children
	for _, d := range keys {
		if err := os.MkdirAll(filepath.Join(dst, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
		entries, err := os.ReadDir(filepath.Join(src, filepath.FromSlash(d)))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			child := path.Join(d, e.Name())
			if real[child] {
				continue
			}
			if err := os.Symlink(filepath.Join(src, filepath.FromSlash(child)), filepath.Join(dst, filepath.FromSlash(child))); err != nil {
				return err
			}
		}
	}
	return nil
}
