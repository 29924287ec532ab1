package cli

import (
	"strings"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/usererr"
)

// ExplainCmd explains a piece of the project's code.
type ExplainCmd struct {
	Provider string   `placeholder:"NAME" help:"Provider to use, by its configured name (default: the configured one, else as the strategy routes)."`
	Model    string   `short:"m" env:"AIEX_MODEL" placeholder:"MODEL" help:"Model to use (default: the configured one, else the provider's first chat model)."`
	Strategy string   `placeholder:"NAME" predictor:"strategy" help:"Routing strategy: local_affinity, load_balanced or round_robin (default: the configured one)."`
	Target   string   `arg:"" placeholder:"TARGET" predictor:"file" help:"PATH (the whole file; in outline if too large for the model), PATH:LINE or a symbol name (MyApp.Accounts.get_user/1, 'http.(*Server).Serve')."`
	Session  string   `placeholder:"ID|new|last" default:"new" help:"Record the explanation in a session: its id, last, or new."`
	Question []string `arg:"" optional:"" help:"What to focus on (optional)."`
}

// Help is what explain --help says below the summary line: what --json's
// prompt is, which is not what one would guess.
func (e *ExplainCmd) Help() string {
	return "With --json, prompt is the request as recorded (explain TARGET: QUESTION), as aiex history shows it, " +
		"not the messages sent; aiex context TARGET [QUESTION] --prompt prints those, with the code in them " +
		"(the earlier turns that --session ID or last adds are not among them)."
}

// Validate refuses an empty target before the store is opened.
func (e *ExplainCmd) Validate() error {
	if strings.TrimSpace(e.Target) == "" {
		return usererr.Usage("name the code to explain: PATH, PATH:LINE or a symbol name (aiex explain TARGET [QUESTION])")
	}
	return nil
}

// Run streams the explanation to stdout. The prompt carries the target and
// the code around it that fits the model's window (see aiex context).
func (e *ExplainCmd) Run(c *Context) error {
	ref, err := sessionRef(e.Session)
	if err != nil {
		return err
	}
	return missingPath(e.Target, answer(c, e.Strategy, app.CodeAsk{
		Request: ask.Request{Prompt: strings.TrimSpace(strings.Join(e.Question, " ")), Provider: e.Provider, Model: e.Model, Actor: "cli"},
		Task:    "explain", Target: e.Target, Session: ref,
	}))
}
