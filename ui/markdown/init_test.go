package markdown

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMain lets TestInitCost run the test binary for its initialisation
// alone.
func TestMain(m *testing.M) {
	if os.Getenv("MARKDOWN_INIT_ONLY") == "1" {
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestInitCost: linking this package costs a program nothing at start-up:
// it does no work at initialisation and links none of glamour, chroma,
// bluemonday or goldmark's extensions.
func TestInitCost(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "MARKDOWN_INIT_ONLY=1", "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	line := regexp.MustCompile(`(?m)^init (\S+) @\S+ ms, (\S+) ms clock, (\d+) bytes, (\d+) allocs$`)
	seen := 0
	for _, m := range line.FindAllStringSubmatch(string(out), -1) {
		seen++
		pkg := m[1]
		for _, banned := range []string{"glamour", "chroma", "bluemonday", "goldmark/extension", "goldmark/renderer"} {
			if strings.Contains(pkg, banned) {
				t.Errorf("%s is linked and initialised", pkg)
			}
		}
		if pkg == "github.com/aiex-dev/aiex/ui/markdown" {
			if bytes, _ := strconv.Atoi(m[3]); bytes > 256 {
				t.Errorf("package init allocates %s bytes in %s allocs (%s ms)", m[3], m[4], m[2])
			}
		}
	}
	if seen == 0 {
		t.Fatalf("no init trace in the output:\n%s", out)
	}
}
