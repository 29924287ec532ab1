// Package fastpath answers aiex --help and aiex version before the rest of
// the binary starts.
//
// Go runs the init functions of every linked package before main: for
// aiex that is 300-odd packages (Tailscale, gVisor, rqlite, tree-sitter,
// the TUI), and the code pages they touch are most of the process's memory
// when all it does is print its help. Package early calls Answer from an
// init function that the linker orders ahead of those packages (it
// depends on nothing but the standard library's base and this package),
// so a request for help or for the version is answered from here and the
// process exits before they run.
//
// The help is kong's, as the command line renders it at 80 columns,
// stored in help.txt; the version is printed by the same function the
// version command calls. Tests in package cli check both against what
// the full command line prints, for every command, and refresh help.txt
// with -update. Anything Answer is not sure of (a narrower terminal,
// shell completion, an argument that is not a command's name, a flag
// other than the global switches) it leaves to the full command line.
package fastpath

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// Build information, set by the linker (scripts/build, .goreleaser.yaml).
var (
	Version = "dev"
	Commit  = "none"
)

// The store's facts that aiex version prints. The version command prints
// them as the store package has them; a test in package cli fails when
// these differ.
const (
	// SQLiteVersion is the version of the SQLite linked in.
	SQLiteVersion = "3.50.4"
	// SchemaVersion is the newest store schema this aiex knows.
	SchemaVersion = 25
)

// HelpWidth is the width help is wrapped at; a terminal narrower than
// this gets kong's help from the full command line.
const HelpWidth = 80

// MinHelpWidth is the least width help is wrapped at, however narrow the
// terminal or COLUMNS. kong gives the flags' names a column up to 30 wide
// (and 4 of space after it) whatever the width: at 60, their help still
// has 26 columns, four or five words a line; at 40 it had 6, a word a
// line, longer to scroll through than lines the terminal wraps.
const MinHelpWidth = 60

// ExitPipe is the exit code when stdout's reader went away, as a shell
// reports a process killed by SIGPIPE.
const ExitPipe = 128 + int(syscall.SIGPIPE)

//go:embed help.txt
var helpText string

// sep starts each command's help in help.txt, followed by the command's
// path ("" for aiex itself, "keys set") and a newline.
const sep = "\f"

// Env is what Answer needs of the process.
type Env struct {
	Stdout, Stderr io.Writer
	// StdinTTY and StdoutTTY: aiex alone opens the TUI on a terminal, and
	// prints its help elsewhere.
	StdinTTY, StdoutTTY bool
	// Columns is the width of the terminal on stdout, 0 if it is none.
	Columns int
	Getenv  func(string) string
}

// Answer prints the help or the version that args ask for and returns the
// exit code, or returns ok false when args ask for anything else or for
// something it is not sure to print as the full command line would.
func Answer(args []string, env Env) (code int, ok bool) {
	if env.Getenv("COMP_LINE") != "" || HelpWrap(env.Getenv, env.Columns) != HelpWidth {
		return 0, false
	}
	help, err := parseHelp(helpText)
	if err != nil {
		return 0, false
	}
	if len(args) == 0 {
		if env.StdinTTY && env.StdoutTTY {
			return 0, false // the TUI
		}
		return write(env, help[""])
	}
	var words []string
	jsonOut, helpFlag := false, false
	for _, a := range args {
		switch a {
		case "--json":
			jsonOut = true
		case "--no-color", "--verbose", "-v":
		case "-h", "--help":
			if helpFlag {
				return 0, false
			}
			helpFlag = true
		default:
			// A word with a space is no command's name, though the
			// paths help.txt knows them by have spaces ("keys set").
			if a == "" || strings.ContainsAny(a, " \t\n\f") || strings.HasPrefix(a, "-") && a != "--version" {
				return 0, false
			}
			words = append(words, a)
		}
	}
	switch {
	case !helpFlag && len(words) == 1 && (words[0] == "version" || words[0] == "--version"):
		var b strings.Builder
		if err := WriteVersion(&b, Info(Version, Commit, SQLiteVersion, SchemaVersion), jsonOut); err != nil {
			return 0, false
		}
		return write(env, b.String())
	case !helpFlag && len(words) > 0 && words[0] == "help":
		words = words[1:]
	case !helpFlag:
		return 0, false
	}
	text, found := help[strings.Join(words, " ")]
	if !found || strings.Contains(strings.Join(words, " "), "--version") {
		return 0, false
	}
	return write(env, text)
}

// write prints s on stdout and ends: 0, or as the command line ends when
// its output fails (1, or quietly ExitPipe).
func write(env Env, s string) (int, bool) {
	if _, err := io.WriteString(env.Stdout, s); err != nil {
		if errors.Is(err, syscall.EPIPE) {
			return ExitPipe, true
		}
		fmt.Fprintf(env.Stderr, "aiex: %v\n", err)
		return 1, true
	}
	return 0, true
}

// HelpWrap is the width help is wrapped at: $COLUMNS when it is a
// positive number, else columns (the terminal's width, 0 if stdout is
// none), else 80; at most HelpWidth, at least MinHelpWidth. A COLUMNS of
// 0 or less says nothing of the terminal (kong would wrap nothing at 0,
// or each word at -1), and is ignored as one that is no number is.
func HelpWrap(getenv func(string) string, columns int) int {
	w := 80
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		w = n
	} else if columns > 0 {
		w = columns
	}
	return min(max(w, MinHelpWidth), HelpWidth)
}

// parseHelp splits help.txt into each command's help by its path.
func parseHelp(s string) (map[string]string, error) {
	if !strings.HasPrefix(s, sep) {
		return nil, errors.New("help.txt does not start with a command")
	}
	m := map[string]string{}
	for part := range strings.SplitSeq(s[len(sep):], sep) {
		path, text, ok := strings.Cut(part, "\n")
		if !ok {
			return nil, fmt.Errorf("help.txt: no text for %q", path)
		}
		m[path] = text
	}
	return m, nil
}

// FormatHelp is help.txt's form of each command's help by its path.
func FormatHelp(help map[string]string, paths []string) string {
	var b strings.Builder
	for _, p := range paths {
		b.WriteString(sep + p + "\n" + help[p])
	}
	return b.String()
}

// VersionInfo is what aiex version prints.
type VersionInfo struct {
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

// Info describes this binary, with the store's facts as given.
func Info(version, commit, sqlite string, schema int) VersionInfo {
	return VersionInfo{
		Version: version, Commit: commit, Go: runtime.Version(), SQLite: sqlite,
		SchemaVersion: schema, OS: runtime.GOOS, Arch: runtime.GOARCH,
	}
}

// WriteVersion prints info as text or as indented JSON.
func WriteVersion(w io.Writer, info VersionInfo, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	_, err := fmt.Fprintf(w, "aiex %s (commit %s)\ngo %s, sqlite %s, store schema v%d, %s/%s\n",
		info.Version, info.Commit, info.Go, info.SQLite, info.SchemaVersion, info.OS, info.Arch)
	return err
}
