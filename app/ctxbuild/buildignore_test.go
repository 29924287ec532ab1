package ctxbuild

import "testing"

// TestGoIgnoredSrc: a file is one the go tool ignores when its build
// constraint, before the package clause, holds in no build without the
// tag ignore.
func TestGoIgnoredSrc(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want bool
	}{
		{"//go:build ignore\n\npackage main\n", true},
		{"// Copyright.\n\n//go:build ignore\n// +build ignore\n\n// Doc.\npackage p\n", true},
		{"//go:build linux && ignore\n\npackage p\n", true},
		{"//go:build linux && !linux\n\npackage p\n", true},
		{"//go:build ignore || linux\n\npackage p\n", false},
		{"//go:build !ignore\n\npackage p\n", false},
		{"//go:build !linux\n\npackage p\n", false},
		{"//go:build (linux || darwin) && !cgo\n\npackage p\n", false},
		{"package p\n\n//go:build ignore\n", false},
		{"/* Doc. */\n//go:build ignore\npackage p\n", false},
		{"package p\n", false},
	} {
		if got := goIgnoredSrc([]byte(tt.src)); got != tt.want {
			t.Errorf("%q: ignored %v; want %v", tt.src, got, tt.want)
		}
	}
}
