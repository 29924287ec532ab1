package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeShellBlocksParse: every sh block of the README is shell a
// reader can paste: bash parses it (a symbol such as http.(*Server).Serve
// must be quoted).
func TestReadmeShellBlocksParse(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(b), -1)
	if len(blocks) == 0 {
		t.Fatal("no sh block in the README")
	}
	for _, m := range blocks {
		cmd := exec.Command("bash", "-n")
		cmd.Stdin = strings.NewReader(m[1])
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v: %s\nin the block:\n%s", err, out, m[1])
		}
	}
}
