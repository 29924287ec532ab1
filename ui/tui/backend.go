package tui

import (
	"context"
	"errors"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/testgen"
	"github.com/aiex-dev/aiex/app/workflow"
)

// Backend is what the TUI needs of the core: the core in this process, the
// node running on the data dir, or (later) a remote node over the mesh.
// Every method may block on I/O; the TUI calls them only from commands,
// never from Update. Implementations: package ui/tui/backend.
type Backend interface {
	// Ask sends a question and streams the answer's text to fn as it
	// arrives. With req.Session set the question is recorded as a turn of
	// that session ("new", "last" or an id). The result is returned as far
	// as it got, with any error.
	Ask(ctx context.Context, req AskRequest, fn func(text string)) (*AskResult, error)
	// Sessions lists the project's sessions, most recent first.
	Sessions(ctx context.Context) ([]session.Info, error)
	// Session reads a whole session: ref is an id (or a unique prefix of
	// one) or "last".
	Session(ctx context.Context, ref string) (*session.Document, error)
	// Models lists every model of the cluster.
	Models(ctx context.Context) ([]ModelInfo, error)
	// Subscribe calls fn with the events of streams whose id is above
	// after (a negative after starts that many events before the newest),
	// first those stored, then new ones as they are appended anywhere in
	// the cluster, until ctx ends or fn fails. To resume after an error,
	// subscribe again after the last id fn saw.
	Subscribe(ctx context.Context, streams []string, after int64, fn func([]events.Event) error) error
	// Status reports the node the TUI talks to, for the status bar.
	Status(ctx context.Context) (Status, error)
	// Task runs a refactoring or generation task, streaming the model's
	// answer to fn, and returns its checked proposal (nothing is written).
	Task(ctx context.Context, req TaskRequest, fn func(text string)) (*TaskResult, error)
	// Apply writes changes into the project through a checkpoint and
	// returns it; Restore of its id undoes the write.
	Apply(ctx context.Context, req ApplyRequest) (*checkpoint.Checkpoint, error)
	// Restore puts the files a checkpoint changed back as they were
	// before it.
	Restore(ctx context.Context, id string) (*checkpoint.RestoreResult, error)
	// Context builds the context a question would be sent with now,
	// without sending it.
	Context(ctx context.Context, req AskRequest) (*session.ContextSummary, error)
	// Files lists the project's files as the index knows them.
	Files(ctx context.Context) (*Files, error)
}

// Task kinds, as the node API names them.
const (
	TaskRefactor  = "refactor"
	TaskGenModule = "gen-module"
	TaskGenTests  = "gen-tests"
)

// TaskRequest is a refactoring or generation task from the TUI.
type TaskRequest struct {
	Kind        string // TaskRefactor, TaskGenModule, TaskGenTests
	Target      string // refactor, gen tests
	Goal        string // refactor
	Name        string // gen module
	Description string // gen module
	Session     string // "new", "last" or an id
	Provider    string
	Model       string
}

// TaskResult is a task's answer and its proposal.
type TaskResult struct {
	Answer   *AskResult
	Proposal *workflow.Proposal // with its Changes
	Tests    *testgen.Report    // gen tests: how they ran
	// Confinement says, as one sentence, how the checks' and tests'
	// commands ran less confined than the sandbox's mode asks (no
	// namespaces here, say); "" when they ran fully confined.
	Confinement string
}

// ApplyRequest writes (part of) a proposal.
type ApplyRequest struct {
	Changes []parse.Change
	Session string // the turn that proposed it
	Turn    int64
	Reason  string // refactor, gen module, gen tests
	Label   string
	// Partial says what of the proposal Changes leave out (hunks or files
	// the user dropped); "" when they are all of it. The turn records
	// the write as written in part.
	Partial string
	// Declined: the user closed the proposal without writing it. Nothing
	// is written; the turn records it as declined, DeclinedHow saying how.
	Declined    bool
	DeclinedHow string
}

// Files is the project as the index knows it.
type Files struct {
	Indexed bool // the project has been indexed
	List    []File
}

// File is one file of the project.
type File struct {
	Path    string
	Lang    string
	Size    int64
	Skipped string // why the index did not chunk it; "" if it did
}

// ErrUnreachable is wrapped by the errors of a Backend that cannot reach
// its node (it stopped, the connection dropped). The TUI then shows
// "reconnecting…", keeps what the user asks in a queue, and resumes its
// subscription and the queue once a Status call succeeds again.
var ErrUnreachable = errors.New("the node cannot be reached")

// Unusable wraps an error after which the backend can do nothing, now or
// later: its store cannot open here at all (a cluster member's data dir
// whose node is not running). The TUI then ends, and Run returns Err, for
// the command to say on one line as the other commands do.
type Unusable struct{ Err error }

func (e *Unusable) Error() string { return e.Err.Error() }
func (e *Unusable) Unwrap() error { return e.Err }

// AskRequest is a question from the TUI.
type AskRequest struct {
	Prompt   string
	Session  string // "new", "last" or an id; "" records nothing
	Provider string // "" lets the strategy choose
	Model    string // "" means the configured one, else the provider's first
	Task     string // "" (ask) or "explain"
	Target   string // PATH, PATH:LINE or a symbol, for explain
}

// AskResult is how a question was answered.
type AskResult struct {
	Session          string // the session the turn was recorded in
	Turn             int64
	Provider, Model  string
	Node             string // the node that answered
	PromptTokens     int64
	CompletionTokens int64
	CostUSD          float64
	// CostUnknown: the model had no known price, and CostUSD leaves out
	// what it cost (shown "+?", as the CLI shows it).
	CostUnknown bool
	TotalMillis int64
	Context     *session.ContextSummary // nil: no code was sent
	// StopReason is why the answer ended, as the provider said it
	// (providers.Incomplete tells a cut-off or refused answer).
	StopReason string
	// Complete says the answer arrived whole: an error returned with it
	// is about recording it (a full disk), and the turn is recorded
	// completed once the store can write again.
	Complete bool
	// Warning is what the user should know of how the answer was made
	// (the prompt was cut to fit, the index is incomplete), as the CLI
	// prints it on stderr.
	Warning string
	// Failover says which providers failed or were passed over before
	// another answered, and why (coord.FailoverNote); "" when the first
	// one tried answered.
	Failover string
}

// ModelInfo is one model of the cluster, for the picker.
type ModelInfo struct {
	Provider      string
	Model         string
	Node          string // the node hosting it, when another node of the cluster
	ContextWindow int    // tokens; 0 when unknown
	Local         bool
	// Priced says the price is known: USD per million input and output
	// tokens (0 for local models).
	Priced              bool
	InputUSD, OutputUSD float64
}

// Status is the node the TUI talks to, as the status bar shows it.
type Status struct {
	Node    string // this node's id
	Mode    string // "embedded" (the core in this process) or "node"
	Leader  string // the Raft leader's node id; "" when none is known
	Members int    // voters in the cluster
	// Down counts the voters that did not answer the node's last probe of
	// its members: the cluster has a leader, and is short of them.
	Down int
	// Problem, when set, says what is wrong with the cluster (no leader,
	// members not listed).
	Problem string
	// Provider and Model are what a question without a model picked would
	// go to now (the strategy's first choice), and ModelNode the node
	// hosting it when another; empty when the backend cannot tell. The
	// status bar names it before any answer says what answered.
	Provider, Model, ModelNode string
}

// Healthy says the cluster has a leader and nothing is reported wrong.
func (s Status) Healthy() bool { return s.Leader != "" && s.Problem == "" }
