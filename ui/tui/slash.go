package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// slash is a parsed slash command: "/session last" is {name: "session",
// args: ["last"], rest: "last"}. An argument in double or single quotes
// may hold spaces (a path): `/explain "my dir/a.go" why?` has args
// ["my dir/a.go", "why?"].
type slash struct {
	name string
	args []string
	rest string // everything after the name, trimmed
}

// after is the text after the first n arguments, as typed: the free text
// that follows a command's targets (a goal, a question).
func (c slash) after(n int) string {
	s := c.rest
	for range n {
		_, s = cutWord(s)
	}
	return strings.TrimSpace(s)
}

// cutWord cuts the first word off s: a run of non-blank characters, which
// may start with text in quotes ("…" or '…', taken without them). A
// quote that is not closed is an ordinary character, as is one inside a
// word: the free text after a command's targets ("don't", a lone ")
// splits as it reads. (Not a shell lexer: those fail on such text.)
func cutWord(s string) (word, rest string) {
	s = strings.TrimLeft(s, " \t\n")
	if s == "" {
		return "", ""
	}
	var quoted string
	if q := s[0]; q == '"' || q == '\'' {
		if end := strings.IndexByte(s[1:], q); end >= 0 {
			quoted, s = s[1:1+end], s[2+end:]
		}
	}
	// What follows the closing quote up to a blank is the word's too:
	// "a b.go":12 is a b.go:12.
	i := strings.IndexAny(s, " \t\n")
	if i < 0 {
		i = len(s)
	}
	return quoted + s[:i], s[i:]
}

// words splits s into words as cutWord cuts them.
func words(s string) []string {
	var out []string
	for {
		var w string
		if strings.TrimSpace(s) == "" {
			return out
		}
		w, s = cutWord(s)
		out = append(out, w)
	}
}

// quoteArg quotes a path that holds blanks, so that a slash command takes
// it as one argument.
func quoteArg(path string) string {
	if !strings.ContainsAny(path, " \t") {
		return path
	}
	if strings.Contains(path, `"`) {
		return "'" + path + "'"
	}
	return `"` + path + `"`
}

// slashNames are the commands the TUI knows, as the CLI names them.
var slashNames = map[string]bool{
	"explain": true, "refactor": true, "gen": true, "tests": true, "session": true, "model": true,
	"undo": true, "help": true, "quit": true, "exit": true,
}

// parseSlash parses input that starts with a slash command. It reports
// false for input to send as a question: not starting with "/", or
// starting with a path ("/usr/lib …"), or with "//" (sent without the
// first slash: see unescapeSlash). A word of letters after "/" that is not
// a command is a command still (reported as unknown), so that a typo is
// not sent to the model.
func parseSlash(input string) (slash, bool) {
	s := strings.TrimSpace(input)
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return slash{}, false
	}
	word, rest, _ := strings.Cut(s[1:], " ")
	if i := strings.IndexAny(word, "\n\t"); i >= 0 {
		word, rest = word[:i], word[i:]+" "+rest
	}
	if word == "" || !isLetters(word) {
		return slash{}, false
	}
	rest = strings.TrimSpace(rest)
	return slash{name: strings.ToLower(word), args: words(rest), rest: rest}, true
}

// unescapeSlash turns "//text" into "/text": how to send a question that
// starts with a slash command's word.
func unescapeSlash(input string) string {
	if t := strings.TrimLeft(input, " "); strings.HasPrefix(t, "//") {
		return t[1:]
	}
	return input
}

// escapeSlash is unescapeSlash's inverse, for a recorded prompt recalled
// into the editor: one that would run as a command ("/quit is…", asked
// as "//quit is…") or lose a slash ("//x") gets its "/" back.
func escapeSlash(prompt string) string {
	if _, ok := parseSlash(prompt); ok || strings.HasPrefix(strings.TrimLeft(prompt, " "), "//") {
		return "/" + strings.TrimLeft(prompt, " ")
	}
	return prompt
}

func isLetters(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// openQuote is the quote a command's first argument opens and never
// closes ("" when it does not): a target typed as `"my dir/a.go` is a
// mistake, where the free text after a target may hold a lone quote.
func (c slash) openQuote() string {
	if c.rest == "" || (c.rest[0] != '"' && c.rest[0] != '\'') {
		return ""
	}
	if strings.IndexByte(c.rest[1:], c.rest[0]) >= 0 {
		return ""
	}
	return c.rest[:1]
}

// slash runs a slash command.
func (m *Model) slash(c slash) tea.Cmd {
	switch c.name {
	case "explain", "refactor", "gen", "tests":
		if q := c.openQuote(); q != "" {
			m.errorNote("/%s: the %s before %s is not closed; close it after the target (%sPATH%s) or leave it out", c.name, q, oneLine(c.args[0][1:]), q, q)
			return nil
		}
	case "undo":
		if len(c.args) > 0 {
			m.errorNote("/undo takes no arguments: /undo restores the last write made here")
			return nil
		}
	}
	switch c.name {
	case "help":
		m.openHelp()
	case "quit", "exit":
		return m.quitCommand(c)
	case "session":
		return m.sessionCommand(c)
	case "model":
		return m.modelCommand(c)
	case "explain":
		if len(c.args) == 0 {
			m.errorNote("/explain needs a target: PATH, PATH:LINE or a symbol name")
			return nil
		}
		return m.enqueue(AskRequest{Task: "explain", Target: c.args[0], Prompt: c.after(1)}, "/explain "+c.rest)
	case "refactor", "gen", "tests":
		t, bad := taskCommand(c)
		if bad != "" {
			m.errorNote("%s", bad)
			return nil
		}
		return m.enqueueTask(t, "/"+c.name+" "+c.rest)
	case "undo":
		return m.undoLast()
	default:
		m.errorNote("unknown command /%s; /help lists them (// sends a question that starts with a slash)", c.name)
	}
	return nil
}

// sessionCommand: /session lists the sessions in the side pane, /session
// new starts one, /session last|ID opens one.
func (m *Model) sessionCommand(c slash) tea.Cmd {
	switch {
	case len(c.args) == 0:
		if m.paneTooNarrow(": /session last or /session ID opens a session") {
			return nil
		}
		if m.pane.view != paneSessions {
			m.pane.view = paneSessions
			m.layout()
		}
		m.setFocus(focusPane)
		m.pane.loading = true
		return m.sessionsCmd()
	case len(c.args) > 1:
		m.errorNote("/session takes one of new, last or a session id")
		return nil
	case c.args[0] == "new":
		m.newSession()
		return nil
	}
	return m.openSession(c.args[0])
}

// modelCommand: /model lists the cluster's models, /model NAME picks one
// for the next questions (NAME or PROVIDER/NAME), /model auto goes back to
// the configured choice.
func (m *Model) modelCommand(c slash) tea.Cmd {
	switch {
	case len(c.args) == 0:
		return m.openPicker()
	case c.args[0] == "auto" || c.args[0] == "default":
		m.provider, m.model = "", ""
		if m.envModel != "" {
			m.note("model: %s, as AIEX_MODEL says", m.envModel)
			return nil
		}
		m.note("model: the configured choice")
		return nil
	default:
		m.pendingModel = c.rest
	}
	return m.modelsCmd()
}

// gotModels finishes /model: the list, or the model picked; questions
// typed meanwhile go to the model picked.
func (m *Model) gotModels(msg modelsMsg) tea.Cmd {
	if msg.err == nil {
		m.models = msg.list
	}
	retry := m.reachable(msg)
	// The picker waits for the listing it asked for: one started earlier
	// (at start-up) may end after it opened, with an older list.
	if m.picker != nil && m.picker.loading && msg.seq == m.modelsSeq {
		m.picker.set(msg.list, msg.err)
	}
	if name := m.pendingModel; name != "" {
		m.pendingModel = ""
		mi, ok := findModel(m.models, name)
		switch {
		case ok:
			m.provider, m.model = mi.Provider, mi.Model
			m.note("model: %s", describeModel(mi))
		case msg.err != nil:
			m.provider, m.model = "", name
			m.note("model: %s (the models could not be listed: %s)", name, oneLine(msg.err.Error()))
		default:
			m.errorNote("no model %q in the cluster; /model lists them", name)
		}
		return tea.Batch(retry, m.pump())
	}
	return retry
}

// reachable notes whether the latest listing found a model (the status
// bar says when none is reachable) and, when none was, lists again later.
// A listing that failed for the connection says nothing of the providers:
// the status bar says "reconnecting" then.
func (m *Model) reachable(msg modelsMsg) tea.Cmd {
	switch {
	case msg.seq != m.modelsSeq:
		return nil // a later listing is on its way
	case msg.err == nil:
		m.modelsErr = ""
	case errors.Is(msg.err, ErrUnreachable) || errors.Is(msg.err, context.Canceled):
		return nil
	default:
		m.modelsErr = oneLine(msg.err.Error())
		return m.modelsRetry()
	}
	return nil
}

// findModel finds a model by name or provider/name; a name without a tag
// also finds Ollama's implicit ":latest" one, as the CLI's -m does.
func findModel(list []ModelInfo, name string) (ModelInfo, bool) {
	for _, n := range []string{name, name + ":latest"} {
		for _, mi := range list {
			if mi.Model == n || mi.Provider+"/"+mi.Model == n {
				return mi, true
			}
		}
	}
	return ModelInfo{}, false
}

func describeModel(mi ModelInfo) string {
	parts := []string{modelName(mi.Provider, mi.Model), where(mi)}
	if mi.ContextWindow > 0 {
		parts = append(parts, thousands(mi.ContextWindow)+" tokens")
	}
	parts = append(parts, price(mi))
	return strings.Join(parts, " · ")
}

func where(mi ModelInfo) string {
	switch {
	case mi.Node != "":
		return "node " + mi.Node
	case mi.Local:
		return "local"
	}
	return "cloud"
}

func price(mi ModelInfo) string {
	switch {
	case !mi.Priced:
		return "price unknown"
	case mi.InputUSD == 0 && mi.OutputUSD == 0:
		return "free"
	}
	return fmt.Sprintf("$%.2f/$%.2f per 1M", mi.InputUSD, mi.OutputUSD)
}
