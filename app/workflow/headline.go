package workflow

import (
	"regexp"
	"strings"
	"sync"
)

// Headline is the line of a failed check's output that says what failed:
// its first line, unless that is a tool's preamble (go's "# package"
// header or progress lines, mix's "Compiling 2 files (.ex)", an elided-lines marker, an
// Elixir warning), in which case the first error line after it — a Go
// compiler or vet message (file.go:12:3: …), Elixir's "error: …" or a
// raised "** (CompileError) …" — or else the first line that is not
// preamble. A line that ends in a colon, with what it announces indented
// on the line below (the go command's "…; to add it:" and the go get
// command under it), takes that line with it: cut at the colon, it would
// promise what it does not say.
func Headline(detail string) string {
	var lines, raw []string
	for l := range strings.Lines(detail) {
		if t := strings.TrimSpace(l); t != "" {
			lines, raw = append(lines, t), append(raw, l)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	with := func(i int) string {
		l := lines[i]
		if strings.HasSuffix(l, ":") && i+1 < len(lines) && (raw[i+1][0] == ' ' || raw[i+1][0] == '\t') {
			l += " " + lines[i+1]
		}
		return l
	}
	if !preamble(lines[0]) {
		return with(0)
	}
	for i, l := range lines {
		if errorLine(l) {
			return with(i)
		}
	}
	for i, l := range lines {
		if !preamble(l) {
			return with(i)
		}
	}
	return lines[0]
}

// goErrorLine is a Go compiler or vet message: file.go:12:3: message.
var goErrorLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\S+\.go:\d+(:\d+)?: `) })

// errorLine reports whether l (trimmed) states an error.
func errorLine(l string) bool {
	return goErrorLine().MatchString(l) || strings.HasPrefix(l, "error: ") || strings.HasPrefix(l, "** (")
}

// preamble reports whether l (trimmed) is what a toolchain prints before
// (or around) its errors rather than an error.
func preamble(l string) bool {
	switch {
	case strings.HasPrefix(l, "# "), // go: the package the errors are of
		goProgress(l), // go: downloading golang.org/x/sys v0.35.0
		strings.HasPrefix(l, "Compiling ") && strings.HasSuffix(l, ")"), // mix: Compiling 1 file (.ex)
		strings.HasPrefix(l, "==> "),                                    // mix: an umbrella app's name
		strings.HasPrefix(l, "== Compilation error in file "),           // mix, before the raised error
		strings.HasPrefix(l, "Generated ") && strings.HasSuffix(l, " app"),
		strings.HasPrefix(l, "warning: "),
		strings.HasPrefix(l, "… ") && strings.HasSuffix(l, " lines before"): // tail's marker
		return true
	}
	return false
}
