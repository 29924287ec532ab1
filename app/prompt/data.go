package prompt

import (
	"fmt"
	"path"
	"strings"
	"text/template"
)

// Data is what a template is rendered with. Each task uses the fields it
// needs and ignores the rest; every field may be empty.
type Data struct {
	// Question is the user's question or instruction, as typed.
	Question string
	// Language is the project's language: "elixir", "go", or "" when not
	// known (then Lang guesses from Target).
	Language string
	// Target is the code the task is about: the function to explain, the
	// module to refactor or test. nil when there is none.
	Target *Snippet
	// Context is retrieved code that may help, most relevant first.
	Context []Snippet
	// Goal is what a refactoring should achieve.
	Goal string
	// ModuleName and Description say what gen-module should write: an
	// Elixir module name (MyApp.Cache) or a Go package's import path
	// (github.com/acme/app/ratelimit: the model imports the project's
	// other packages by paths like it).
	ModuleName  string
	Description string
	// GoPackage is the package clause gen-module's Go file must have
	// (ratelimit; main at a command's root).
	GoPackage string
	// Conventions are the project's own rules for work on it, each a
	// piece of text: the project's AGENTS.md or CLAUDE.md (app.ConventionsFile), cut to
	// its share of the window, or notes ("errors wrap with %w").
	Conventions []string
	// TestPath is where gen-tests' file will go, relative to the project
	// root. When the usual name is taken it is another (foo_gen_test.go),
	// and the tests in it must not reuse the names the package's or
	// module's existing tests have.
	TestPath string
	// Deps are the project's dependencies when known: mix dependency names
	// (stream_data) or Go module paths (github.com/google/go-cmp).
	Deps []string
	// Answers are the candidates compare-judge weighs, in the order shown.
	Answers []Answer
}

// Lang is Language, or the language of Target's file when Language is "".
func (d Data) Lang() string {
	if d.Language != "" {
		return strings.ToLower(d.Language)
	}
	if d.Target != nil {
		return d.Target.Lang()
	}
	return ""
}

// Snippet is a piece of the project's code.
type Snippet struct {
	Path      string // relative to the project root
	Name      string // what it is: "MyApp.Cache.get/2", "(*Store).Open"; may be ""
	StartLine int    // 1-based first line in Path; 0 if not known
	EndLine   int    // last line; 0 if not known
	Code      string
}

// Lang is the language of the snippet's file, from its extension: "elixir",
// "go", "heex", "erlang", …, or "" when unknown. It is the tag Markdown
// fences use.
func (s Snippet) Lang() string {
	switch path.Ext(s.Path) {
	case ".ex", ".exs":
		return "elixir"
	case ".go":
		return "go"
	case ".heex", ".leex":
		return "heex"
	case ".eex":
		return "eex"
	case ".erl", ".hrl":
		return "erlang"
	case ".mod":
		return "go-mod"
	}
	return ""
}

// Where is "path:start-end", "path:start", or just the path, as known.
func (s Snippet) Where() string {
	switch {
	case s.StartLine > 0 && s.EndLine > s.StartLine:
		return fmt.Sprintf("%s:%d-%d", s.Path, s.StartLine, s.EndLine)
	case s.StartLine > 0:
		return fmt.Sprintf("%s:%d", s.Path, s.StartLine)
	}
	return s.Path
}

// Answer is one candidate answer for compare-judge. Label is how the judge
// refers to it ("A"); an empty Label shows as the answer's letter by
// position. Nothing about which model wrote it goes in: judging is blind.
type Answer struct {
	Label string
	Text  string
}

// funcs are the helpers templates may call.
//
//	fence LANG CODE   CODE in a Markdown fence tagged LANG, long enough not
//	                  to be closed by backticks inside CODE
//	indent N TEXT     TEXT with every non-empty line indented by N spaces
//	langName LANG     "Elixir" for "elixir", "Go" for "go", else LANG
//	hasDep DEPS NAME  whether DEPS lists NAME (or a Go module path under it)
//	label I           the letter for position I: A, B, …, Z, AA, AB, …
//	trim TEXT         TEXT without leading and trailing white space
var funcs = template.FuncMap{
	"fence":    fence,
	"indent":   indent,
	"langName": langName,
	"hasDep":   hasDep,
	"label":    label,
	"trim":     strings.TrimSpace,
}

func fence(lang, code string) string {
	longest, run := 0, 0
	for _, c := range code {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", max(3, longest+1))
	code = strings.TrimRight(code, "\n")
	return f + lang + "\n" + code + "\n" + f
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}

func langName(lang string) string {
	switch strings.ToLower(lang) {
	case "elixir":
		return "Elixir"
	case "go":
		return "Go"
	}
	return lang
}

func hasDep(deps []string, name string) bool {
	for _, d := range deps {
		if d == name || strings.HasPrefix(d, name+"/") {
			return true
		}
	}
	return false
}

func label(i int) string {
	if i < 0 {
		return "?"
	}
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
