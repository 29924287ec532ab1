package testgen

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestRunSetupFails: when Run cannot lay out its scratch files (the temp
// dir is gone, or the disk is full), its error is a *SetupError, so that
// the caller can tell the machine's problem from the tests'.
func TestRunSetupFails(t *testing.T) {
	if ok, why := Toolchain(LangGo); !ok {
		t.Fatal(why)
	}
	t.Parallel()
	root := goFixture(t)
	_, err := Run(t.Context(), Spec{Root: root, TestPath: "mathx/clamp_gen_test.go", TestContent: []byte(goGood),
		Target: Target{Path: "mathx/clamp.go", Name: "Clamp"}, Runner: Exec{}, TempDir: filepath.Join(t.TempDir(), "gone")})
	var se *SetupError
	if !errors.As(err, &se) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Run with a temp dir that is gone: %v; want a *SetupError", err)
	}
}

// spoilMutants runs commands with Exec and, after the first (the
// unmutated run), puts a file where Run's scratch directory was, so that
// no mutant's file can be written there.
type spoilMutants struct {
	tmp  string
	once sync.Once
}

func (r *spoilMutants) Run(ctx context.Context, c Command) (int, error) {
	code, err := Exec{}.Run(ctx, c)
	r.once.Do(func() {
		dirs, _ := filepath.Glob(filepath.Join(r.tmp, "aiex-testgen-*"))
		for _, d := range dirs {
			os.RemoveAll(d)
			os.WriteFile(d, nil, 0o600)
		}
	})
	return code, err
}

// TestRunMutantsNotWritten: tests that ran and passed keep their report
// when the mutants cannot be written (a disk that fills during the run):
// the summary says why no mutant ran, without the scratch path.
func TestRunMutantsNotWritten(t *testing.T) {
	if ok, why := Toolchain(LangGo); !ok {
		t.Fatal(why)
	}
	t.Parallel()
	root := goFixture(t)
	tmp := t.TempDir()
	clamp := unitOf(t, goClamp, "// Clamp limits", "}")
	clamp.Path, clamp.Name = "mathx/clamp.go", "Clamp"
	rep, err := Run(t.Context(), Spec{Root: root, TestPath: "mathx/clamp_gen_test.go", TestContent: []byte(goGood),
		Target: clamp, Runner: &spoilMutants{tmp: tmp}, TempDir: tmp})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	const why = "the mutants could not be written in the temp dir: not a directory"
	if !rep.Passed || len(rep.Mutants) != 0 || rep.NoMutants != why || !strings.Contains(rep.Summary, "no mutants: "+why) ||
		strings.Contains(rep.Summary, tmp) {
		t.Fatalf("report %+v", rep)
	}
}
