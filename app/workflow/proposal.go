// Package workflow turns a model's answer to a refactoring or generation
// task into a Proposal — the files it would change, as a unified diff —
// and checks it without writing anything: that it applies, that the
// result parses, and, where the toolchain is installed, that it builds.
// Writing is the caller's (through the sandbox, with a checkpoint).
package workflow

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/app/workflow/linediff"
)

// Proposal is a change the model proposed, checked, not yet written.
type Proposal struct {
	Task   string       `json:"task"`             // refactor, gen-module, gen-tests
	Target string       `json:"target,omitempty"` // what it was about
	Files  []FileChange `json:"files"`
	Diff   string       `json:"diff"` // unified, every file
	Checks []Check      `json:"checks"`
	Notes  []string     `json:"notes,omitempty"` // what is no failure but worth knowing: hunks placed other than as written, files left out, diagnostics already there
	// Warnings name the files it touches whose text is later acted on
	// (conventions, CI, editor tasks, hooks): see steering.
	Warnings []string       `json:"warnings,omitempty"`
	Answer   string         `json:"answer"` // the model's whole answer
	Changes  []parse.Change `json:"-"`
}

// FileChange is what a proposal does to one file.
type FileChange struct {
	Path    string `json:"path"`
	Status  string `json:"status"` // added, modified, deleted, renamed
	OldPath string `json:"old_path,omitempty"`
	Added   int    `json:"added"`   // lines
	Removed int    `json:"removed"` // lines
}

// Check is one validation of a proposal.
type Check struct {
	Name   string `json:"name"`   // applies, syntax, go build, go vet, mix compile
	Status string `json:"status"` // ok, failed, skipped
	Detail string `json:"detail,omitempty"`
}

// Check statuses.
const (
	OK      = "ok"
	Failed  = "failed"
	Skipped = "skipped"
)

// OK reports whether no check failed.
func (p *Proposal) OK() bool {
	return !slices.ContainsFunc(p.Checks, func(c Check) bool { return c.Status == Failed })
}

// Failures lists the failed checks, one line each: the check and the
// line of its output that says what failed (Headline).
func (p *Proposal) Failures() []string {
	var out []string
	for _, c := range p.Checks {
		if c.Status == Failed {
			out = append(out, c.Name+": "+Headline(c.Detail))
		}
	}
	return out
}

// ErrNoCode: the answer holds no diff or code to apply.
var ErrNoCode = errors.New("the answer has no code")

// Reader reads a project file (relative, slash-separated path); a missing
// file is an error wrapping fs.ErrNotExist.
type Reader func(path string) ([]byte, error)

// FromDiff makes a proposal of the unified diffs in a refactoring answer.
// A diff that does not apply is a *usererr.Error saying where and why;
// an answer without a diff (the model explaining why it cannot) is
// ErrNoCode wrapped with its first sentence.
func FromDiff(task, target, answer string, read Reader) (*Proposal, error) {
	diffs, err := parse.Diffs(answer)
	if err != nil {
		return nil, usererr.Wrap(err, "the model's diff cannot be read: %s; nothing was written", unreadable(err))
	}
	if len(diffs) == 0 {
		what := "no diff"
		if diffHeader.MatchString(answer) {
			// Headers and context lines, no line added or removed.
			what = "a diff that changes nothing"
		}
		return nil, noCode(answer, what)
	}
	if unclosed, _ := parse.DiffPlaces(answer); unclosed {
		return nil, usererr.New("the model's answer stopped inside its diff (the answer was cut short); nothing was written")
	}
	changes, err := parse.Check(diffs, read)
	if err != nil {
		return nil, usererr.Wrap(err, "the model's diff does not apply, nothing was written: %s", oneLine(err.Error()))
	}
	p, err := newProposal(task, target, answer, changes, read)
	if err != nil {
		return nil, err
	}
	// A file named with context lines alone is left out by the parser:
	// the model may have meant a change to it that it never wrote.
	for _, f := range parse.Unchanged(answer) {
		p.Notes = append(p.Notes, f+" is left out: the answer's diff of it adds and removes no line")
	}
	return p, nil
}

// unreadable is why parse.Diffs could not read a diff, as the user is
// told it: where in the answer and what is wrong there, without the
// parser's operation prefix.
func unreadable(err error) string {
	if pe := (*parse.OutsidePathError)(nil); errors.As(err, &pe) {
		return pe.Error()
	}
	if de := (*parse.DiffError)(nil); errors.As(err, &de) {
		return de.Error()
	}
	return oneLine(err.Error())
}

// CutShort refuses an answer that ended before the model meant it to
// (why says how: providers.Incomplete; "" for an answer that ended as
// meant) when its diff may be what was lost: one outside any fence, whose
// end cannot be seen, or in a fence never closed (FromDiff refuses that
// one anyway). A diff in a closed fence is whole whatever came after it.
func CutShort(answer, why string) error {
	if why == "" {
		return nil
	}
	if unclosed, bare := parse.DiffPlaces(answer); unclosed || bare {
		return usererr.New("the model's answer was cut short (%s) and its diff may be incomplete; nothing was written (ask for a smaller change, or use a model with a larger output limit)", why)
	}
	return nil
}

// FromFile makes a proposal of a generated file: the answer's code block
// whose info string names a path (```elixir lib/x.ex), else its first
// block in the language, written to want — or to the block's path if want
// is "" (want set: the block's own path is ignored, so a model cannot
// write elsewhere than the command said).
func FromFile(task, target, answer, want, lang string, read Reader) (*Proposal, error) {
	blocks := parse.CodeBlocks(answer)
	var pick *parse.CodeBlock
	for i := range blocks {
		b := &blocks[i]
		if b.Lang == "diff" || strings.TrimSpace(b.Code) == "" {
			continue
		}
		if _, p, ok := strings.Cut(strings.TrimSpace(b.Info), " "); ok && strings.TrimSpace(p) != "" && pick == nil {
			pick = b
			if want == "" {
				want = cleanPath(p)
			}
		}
	}
	if pick == nil {
		for i := range blocks {
			if blocks[i].Lang == lang || (blocks[i].Lang == "" && lang != "") {
				pick = &blocks[i]
				break
			}
		}
	}
	if pick == nil {
		return nil, noCode(answer, "no "+cmp.Or(lang, "code")+" block")
	}
	if !pick.Closed {
		return nil, usererr.New("the model's answer stopped inside its code block (the answer was cut short); nothing was written")
	}
	if want == "" || !fs.ValidPath(want) {
		return nil, usererr.New("the model's code block names no usable file path (%q); nothing was written", want)
	}
	old, err := read(want)
	var change parse.Change
	switch {
	case errors.Is(err, fs.ErrNotExist):
		change = parse.Change{Path: want, Content: []byte(pick.Code)}
	case err != nil:
		return nil, err
	default:
		if string(old) == pick.Code {
			return nil, usererr.New("the model wrote %s as it already is; nothing to change", want)
		}
		change = parse.Change{Path: want, OldPath: want, Content: []byte(pick.Code)}
	}
	return newProposal(task, target, answer, []parse.Change{change}, read)
}

func newProposal(task, target, answer string, changes []parse.Change, read Reader) (*Proposal, error) {
	p := &Proposal{Task: task, Target: target, Answer: answer, Checks: []Check{{Name: "applies", Status: OK}}}
	var diff strings.Builder
	var same []string // files the answer leaves as they are
	for _, c := range changes {
		var before []byte
		c.Base = parse.NoFile
		if c.OldPath != "" {
			b, err := read(c.OldPath)
			if err != nil {
				return nil, fmt.Errorf("workflow: read %s: %w", c.OldPath, err)
			}
			before = b
			sum := sha256.Sum256(b)
			c.Base = hex.EncodeToString(sum[:])
		}
		if !c.Delete && c.OldPath == c.Path && bytes.Equal(before, c.Content) {
			// A hunk that removes lines and adds them back as they were
			// changes nothing: the file is no part of the proposal, so
			// that what it says it writes is what the write changes.
			same = append(same, c.Path)
			continue
		}
		p.Notes = append(p.Notes, c.Notes...)
		p.Changes = append(p.Changes, c)
		fc := FileChange{Path: c.Path, Status: "modified"}
		oldLabel, newLabel := "a/"+c.OldPath, "b/"+c.Path
		switch {
		case c.Delete:
			fc.Status, newLabel = "deleted", "/dev/null"
		case c.OldPath == "":
			fc.Status, oldLabel = "added", "/dev/null"
		case c.OldPath != c.Path:
			fc.Status, fc.OldPath = "renamed", c.OldPath
		}
		u := linediff.Unified(oldLabel, newLabel, string(before), string(c.Content))
		for _, l := range strings.Split(u, "\n") {
			switch {
			case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			case strings.HasPrefix(l, "+"):
				fc.Added++
			case strings.HasPrefix(l, "-"):
				fc.Removed++
			}
		}
		diff.WriteString(u)
		p.Files = append(p.Files, fc)
	}
	if len(p.Changes) == 0 {
		as := "they are"
		if len(same) == 1 {
			as = "it is"
		}
		return nil, usererr.New("the model's diff leaves %s as %s; there is nothing to write", strings.Join(same, ", "), as)
	}
	for _, f := range same {
		p.Notes = append(p.Notes, f+" is left out: the answer's change to it leaves it as it is")
	}
	p.Diff = diff.String()
	p.Warnings = steeringWarnings(p.Files)
	return p, nil
}

// diffHeader finds a unified diff's file header pair (--- a/x, +++ b/x).
var diffHeader = regexp.MustCompile(`(?m)^--- \S.*\n\+\+\+ \S`)

// noCode is ErrNoCode with what the model said instead.
func noCode(answer, what string) error {
	said := oneLine(answer)
	if said == "" {
		return &usererr.Error{Msg: "the model's answer was empty; nothing was written", Err: ErrNoCode}
	}
	if len(said) > 200 {
		said = said[:197] + "…"
	}
	return &usererr.Error{Msg: fmt.Sprintf("the model's answer has %s, nothing was written; it said: %s", what, said), Err: ErrNoCode}
}

func cleanPath(p string) string {
	p = strings.TrimSpace(p)
	p = strings.TrimPrefix(p, "./")
	return path.Clean(p)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
