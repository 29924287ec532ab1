// Package prompt turns a task and its data into the messages of a request.
//
// Each task (ask, explain, refactor, gen-module, gen-tests, compare-judge)
// has a text/template file, templates/TASK.tmpl, embedded in the binary. A
// file defines two templates:
//
//	{{define "system"}}…{{end}}   the system message (optional)
//	{{define "user"}}…{{end}}     the user message (required)
//
// Each is rendered with a Data and trimmed of surrounding white space; an
// empty system message is left out. Text outside the two definitions is
// ignored, so a file may start with a {{/* comment */}}. Templates may call
// the helpers listed at funcs (fence, indent, langName, hasDep, label, trim)
// and the methods of Data and Snippet (Lang, Where).
//
// A file TASK.tmpl in the override directory (by convention
// $XDG_CONFIG_HOME/aiex/prompts) replaces the embedded one whole.
package prompt

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
)

//go:embed templates/*.tmpl
var embedded embed.FS

// tasks are the tasks with a template, sorted.
var tasks = []string{"ask", "compare-judge", "explain", "gen-module", "gen-tests", "refactor"}

// Tasks returns the names of the tasks that have a template, sorted.
func Tasks() []string { return slices.Clone(tasks) }

// Set holds the template of every task. It is safe for concurrent use.
type Set struct {
	byTask map[string]*taskTemplate
}

// taskTemplate is one task's template. Overrides are parsed by Load;
// embedded templates, known to parse, on first use (so Load stays cheap).
type taskTemplate struct {
	path string // the override file it came from; "" for the embedded one
	once sync.Once
	t    *template.Template
	err  error
}

func (tt *taskTemplate) get(task string) (*template.Template, error) {
	tt.once.Do(func() {
		if tt.t != nil {
			return
		}
		name := task + ".tmpl"
		text, err := embedded.ReadFile("templates/" + name)
		if err != nil {
			tt.err = fmt.Errorf("prompt: load %s: %w", name, err)
			return
		}
		tt.t, tt.err = template.New(name).Funcs(funcs).Parse(string(text))
		if tt.err != nil {
			tt.err = fmt.Errorf("prompt: parse embedded %s: %w", name, tt.err)
		}
	})
	return tt.t, tt.err
}

// Load parses the templates: the embedded ones, and any TASK.tmpl in
// overrideDir in their stead (hidden files, an editor's, are ignored). An overrideDir that is "" or does not exist
// means embedded templates only.
//
// An override that does not parse, has no "user" template, or uses a field
// Data does not have gives a *usererr.Error (exit code 2) naming the file and
// line. So does a .tmpl file in overrideDir named for no task.
func Load(overrideDir string) (*Set, error) {
	overrides, err := readOverrides(overrideDir)
	if err != nil {
		return nil, err
	}
	s := &Set{byTask: make(map[string]*taskTemplate, len(tasks))}
	for _, task := range tasks {
		o, ok := overrides[task]
		if !ok {
			s.byTask[task] = &taskTemplate{}
			continue
		}
		t, err := parseOverride(o.path, task+".tmpl", o.text)
		if err != nil {
			return nil, err
		}
		s.byTask[task] = &taskTemplate{t: t, path: o.path}
	}
	return s, nil
}

// Render renders task's template with data into its messages: a system
// message (if the template has one) and a user message.
func (s *Set) Render(task string, data Data) ([]providers.Message, error) {
	tt, ok := s.byTask[task]
	if !ok {
		return nil, usererr.Usage("unknown prompt task %q; tasks are %s", task, strings.Join(tasks, ", "))
	}
	t, err := tt.get(task)
	if err != nil {
		return nil, err
	}
	var msgs []providers.Message
	for _, part := range []struct {
		name string
		role providers.Role
	}{{"system", providers.RoleSystem}, {"user", providers.RoleUser}} {
		if t.Lookup(part.name) == nil {
			continue
		}
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, part.name, data); err != nil {
			if tt.path != "" {
				return nil, templateError(tt.path, err)
			}
			return nil, fmt.Errorf("prompt: render %s: %w", task, err)
		}
		if text := strings.TrimSpace(b.String()); text != "" {
			msgs = append(msgs, providers.Message{Role: part.role, Content: text})
		}
	}
	if len(msgs) == 0 || msgs[len(msgs)-1].Role != providers.RoleUser {
		where := "embedded template " + t.Name()
		if tt.path != "" {
			where = "prompt template " + tt.path
		}
		return nil, usererr.Usage("%s rendered an empty user message for this request", where)
	}
	return msgs, nil
}

type override struct {
	path, text string
}

// readOverrides reads the TASK.tmpl files of dir.
func readOverrides(dir string) (map[string]override, error) {
	if dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &usererr.Error{Msg: fmt.Sprintf("cannot read prompt template directory %s: %v", dir, err), Code: usererr.ExitUsage, Err: err}
	}
	out := map[string]override{}
	for _, e := range entries {
		name := e.Name()
		task, ok := strings.CutSuffix(name, ".tmpl")
		if !ok || e.IsDir() || strings.HasPrefix(name, ".") {
			// Hidden files are editors' and file managers': Emacs's lock
			// .#ask.tmpl (a dangling symlink), macOS's ._ask.tmpl.
			continue
		}
		p := filepath.Join(dir, name)
		if !slices.Contains(tasks, task) {
			return nil, usererr.Usage("prompt template %s is for no task; name it after one of %s.tmpl", p, strings.Join(tasks, ".tmpl, "))
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, &usererr.Error{Msg: fmt.Sprintf("cannot read prompt template %s: %v", p, err), Code: usererr.ExitUsage, Err: err}
		}
		out[task] = override{path: p, text: string(b)}
	}
	return out, nil
}

// parseOverride parses an override and tries it on sample data, so that a
// misspelt field is reported now rather than at the first request.
func parseOverride(path, name, text string) (*template.Template, error) {
	t, err := template.New(name).Funcs(funcs).Parse(text)
	if err != nil {
		return nil, templateError(path, err)
	}
	if t.Lookup("user") == nil {
		return nil, usererr.Usage(`prompt template %s defines no "user" template; wrap the user message in {{define "user"}}…{{end}}`, path)
	}
	for _, lang := range []string{"elixir", "go", ""} {
		for _, part := range []string{"system", "user"} {
			if t.Lookup(part) == nil {
				continue
			}
			if err := t.ExecuteTemplate(io.Discard, part, sampleData(lang)); err != nil {
				return nil, templateError(path, err)
			}
		}
	}
	return t, nil
}

// sampleData has every field set, so that trying a template on it walks as
// many of its branches as possible.
func sampleData(lang string) Data {
	code := "def get(key), do: :ok\n"
	return Data{
		Question:    "What does get/1 return?",
		Language:    lang,
		Target:      &Snippet{Path: "lib/app/cache.ex", Name: "App.Cache.get/1", StartLine: 1, EndLine: 1, Code: code},
		Context:     []Snippet{{Path: "lib/app.ex", Name: "App", StartLine: 1, EndLine: 1, Code: code}},
		Goal:        "Return a tagged tuple.",
		ModuleName:  "App.Cache",
		Description: "A cache.",
		Conventions: []string{"Tagged tuples for errors."},
		Deps:        []string{"stream_data", "github.com/google/go-cmp"},
		TestPath:    "test/app/cache_gen_test.exs",
		Answers:     []Answer{{Label: "A", Text: "a"}, {Text: "b"}},
	}
}

// templateError turns a text/template error, which reads
// "template: NAME:LINE[:COL]: DETAIL", into a user error naming the file and
// line.
func templateError(path string, err error) *usererr.Error {
	line, detail := splitTemplateError(err.Error())
	msg := fmt.Sprintf("prompt template %s: %s", path, detail)
	if line > 0 {
		msg = fmt.Sprintf("prompt template %s line %d: %s", path, line, detail)
	}
	return &usererr.Error{Msg: msg, Code: usererr.ExitUsage, Err: err}
}

// templateErrorRE matches text/template's errors: the template's name (the
// shortest run that fits), the line, an optional column, and the message.
var templateErrorRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)^template: (.*?):(\d+)(?::\d+)?: (.*)$`) })

// splitTemplateError finds the line number and the message proper in a
// text/template error. It returns line 0 when the error names no line.
func splitTemplateError(msg string) (line int, detail string) {
	m := templateErrorRE().FindStringSubmatch(msg)
	if m == nil {
		return 0, strings.TrimPrefix(msg, "template: ")
	}
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return 0, strings.TrimPrefix(msg, "template: ")
	}
	detail = m[3]
	// Exec errors read `executing "user" at <.X>: …`; keep from <.X> on.
	if strings.HasPrefix(detail, "executing ") {
		if _, after, ok := strings.Cut(detail, " at <"); ok {
			detail = "<" + after
		}
	}
	return n, detail
}
