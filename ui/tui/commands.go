package tui

import (
	"context"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
)

// Messages the commands send back to Update.
type (
	// frameMsg is the frame tick of a streaming answer.
	frameMsg struct{}

	askDoneMsg struct {
		id  int
		res *AskResult
		err error
	}

	// taskDoneMsg ends a task's answer: its proposal, or why there is none.
	taskDoneMsg struct {
		id  int
		req TaskRequest
		res *TaskResult
		err error
	}

	// proposalMsg is a proposal with the files it changes read.
	proposalMsg struct {
		req   TaskRequest
		res   *TaskResult
		files []*proposalFile
	}

	// appliedMsg says how writing a proposal went; restoredMsg how /undo
	// went.
	appliedMsg struct {
		cp  *checkpoint.Checkpoint
		err error
	}
	// declinedMsg says how recording a proposal closed unwritten went.
	declinedMsg struct{ err error }
	restoredMsg struct {
		id  string
		res *checkpoint.RestoreResult
		err error
	}

	// renderedMsg is an answer's body rendered whole, off the update loop.
	renderedMsg struct {
		id    int
		width int
		body  []string
	}

	docMsg struct {
		ref    string
		reload bool // a re-read of the open session (events were missed)
		doc    *session.Document
		err    error
	}

	sessionsMsg struct {
		list []session.Info
		err  error
	}

	modelsMsg struct {
		list []ModelInfo
		err  error
		seq  int // of the listing (Model.modelsSeq): a later one supersedes it
	}
	// modelsTickMsg lists the models again while no provider answers.
	modelsTickMsg struct{}

	statusMsg struct {
		gen int
		st  Status
		err error
	}

	// statusTickMsg polls the status (and, while the connection is lost,
	// reconnects).
	statusTickMsg struct{ gen int }

	// liveMsg is a batch of the open session's events; liveEndMsg says its
	// subscription ended.
	liveMsg struct {
		gen int
		evs []events.Event
	}
	liveEndMsg struct {
		gen int
		err error
	}
)

// tasks tracks the goroutines the TUI's commands run in, so that Run can
// wait for them after the program ends: each ends with the TUI's context.
type tasks struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// cmd wraps fn as a tracked command; once closed, the command does nothing.
func (t *tasks) cmd(fn func() tea.Msg) tea.Cmd {
	return func() tea.Msg {
		t.mu.Lock()
		if t.closed {
			t.mu.Unlock()
			return nil
		}
		t.wg.Add(1)
		t.mu.Unlock()
		defer t.wg.Done()
		return fn()
	}
}

// closeAndWait stops new commands and waits for the running ones.
func (t *tasks) closeAndWait() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.wg.Wait()
}

// streamBuf is where a streaming answer's text waits for the next frame:
// the backend's callback appends (any goroutine), the frame takes.
type streamBuf struct {
	mu  sync.Mutex
	buf []byte
	n   int // bytes written in all
}

func (s *streamBuf) write(text string) {
	s.mu.Lock()
	s.buf = append(s.buf, text...)
	s.n += len(text)
	s.mu.Unlock()
}

// take returns what was written since the last take.
func (s *streamBuf) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.buf) == 0 {
		return ""
	}
	out := string(s.buf)
	s.buf = s.buf[:0]
	return out
}

func (s *streamBuf) written() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Frame pacing: a streaming answer is drawn at most every frameMin, and
// less often when rendering a frame takes long (see Model.frame).
const (
	frameMin = time.Second / 30
	frameMax = time.Second / 2
)

func (m *Model) frameTick(d time.Duration) tea.Cmd {
	return m.tick(d, func(time.Time) tea.Msg { return frameMsg{} })
}

// statusEvery is how often the status bar's status is read; reconnecting
// tries back off from reconnectMin to statusEvery.
const (
	statusEvery  = 5 * time.Second
	reconnectMin = 250 * time.Millisecond
)

func (m *Model) statusTick(d time.Duration) tea.Cmd {
	gen := m.statusGen
	return m.tick(d, func(time.Time) tea.Msg { return statusTickMsg{gen} })
}

func (m *Model) taskCmd(ctx context.Context, id int, req TaskRequest, buf *streamBuf) tea.Cmd {
	b := m.b
	return m.tasks.cmd(func() tea.Msg {
		res, err := b.Task(ctx, req, buf.write)
		return taskDoneMsg{id: id, req: req, res: res, err: err}
	})
}

func (m *Model) proposalCmd(req TaskRequest, res *TaskResult) tea.Cmd {
	root := m.opts.Root
	return m.tasks.cmd(func() tea.Msg {
		return proposalMsg{req: req, res: res, files: loadProposal(root, res)}
	})
}

func (m *Model) applyCmd(req ApplyRequest) tea.Cmd {
	ctx, b := m.ctx, m.b
	return m.tasks.cmd(func() tea.Msg {
		cp, err := b.Apply(ctx, req)
		return appliedMsg{cp: cp, err: err}
	})
}

// declineCmd records in the turn that proposed a change that the user
// closed it unwritten (ApplyRequest.Declined: nothing is written).
func (m *Model) declineCmd(req ApplyRequest) tea.Cmd {
	ctx, b := m.ctx, m.b
	return m.tasks.cmd(func() tea.Msg {
		_, err := b.Apply(ctx, req)
		return declinedMsg{err: err}
	})
}

func (m *Model) restoreCmd(id string) tea.Cmd {
	ctx, b := m.ctx, m.b
	return m.tasks.cmd(func() tea.Msg {
		res, err := b.Restore(ctx, id)
		return restoredMsg{id: id, res: res, err: err}
	})
}

func (m *Model) askCmd(ctx context.Context, id int, req AskRequest, buf *streamBuf) tea.Cmd {
	b := m.b
	return m.tasks.cmd(func() tea.Msg {
		res, err := b.Ask(ctx, req, buf.write)
		return askDoneMsg{id: id, res: res, err: err}
	})
}

// renderCmd renders an answer's Markdown whole, in a goroutine of its own
// (a long answer takes tens of milliseconds: not for the update loop).
func (m *Model) renderCmd(id int, text string, width int) tea.Cmd {
	th := m.th
	return m.tasks.cmd(func() tea.Msg {
		return renderedMsg{id: id, width: width, body: newMarkdown(th.profile, th.dark, width).render(text)}
	})
}

func (m *Model) docCmd(ref string, reload bool) tea.Cmd {
	ctx, b := m.ctx, m.b
	return m.tasks.cmd(func() tea.Msg {
		doc, err := b.Session(ctx, ref)
		return docMsg{ref: ref, reload: reload, doc: doc, err: err}
	})
}

func (m *Model) sessionsCmd() tea.Cmd {
	ctx, b := m.ctx, m.b
	return m.tasks.cmd(func() tea.Msg {
		list, err := b.Sessions(ctx)
		return sessionsMsg{list, err}
	})
}

func (m *Model) modelsCmd() tea.Cmd {
	ctx, b := m.ctx, m.b
	m.modelsSeq++
	seq := m.modelsSeq
	return m.tasks.cmd(func() tea.Msg {
		list, err := b.Models(ctx)
		return modelsMsg{list, err, seq}
	})
}

// modelsRetryEvery is how often the models are listed again while no
// provider answers, so that the status bar sees a server come up.
const modelsRetryEvery = 15 * time.Second

// modelsRetry lists the models again after modelsRetryEvery, unless a
// retry is pending already.
func (m *Model) modelsRetry() tea.Cmd {
	if m.modelsRetrying {
		return nil
	}
	m.modelsRetrying = true
	return m.tick(modelsRetryEvery, func(time.Time) tea.Msg { return modelsTickMsg{} })
}

func (m *Model) statusCmd() tea.Cmd {
	ctx, b, gen := m.ctx, m.b, m.statusGen
	return m.tasks.cmd(func() tea.Msg {
		st, err := b.Status(ctx)
		return statusMsg{gen, st, err}
	})
}

// subscription is the open session's live feed: a goroutine runs the
// backend's Subscribe and hands each batch over c; waitLive reads it.
type subscription struct {
	gen    int
	c      chan []events.Event
	ctx    context.Context
	cancel context.CancelFunc
}

// subscribeCmd subscribes to a session's stream after the event id after
// and returns the commands that run it and read its first batch.
func (m *Model) subscribeCmd(gen int, id string, after int64) (*subscription, tea.Cmd) {
	ctx, cancel := context.WithCancel(m.ctx)
	sub := &subscription{gen: gen, c: make(chan []events.Event), ctx: ctx, cancel: cancel}
	b := m.b
	run := m.tasks.cmd(func() tea.Msg {
		defer close(sub.c)
		err := b.Subscribe(ctx, []string{session.Stream(id)}, after, func(evs []events.Event) error {
			select {
			case sub.c <- evs:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if ctx.Err() != nil {
			err = nil // closed by us
		}
		return liveEndMsg{gen: gen, err: err}
	})
	return sub, tea.Batch(run, m.waitLive(sub))
}

// waitLive reads the subscription's next batch.
func (m *Model) waitLive(sub *subscription) tea.Cmd {
	return m.tasks.cmd(func() tea.Msg {
		select {
		case evs, ok := <-sub.c:
			if ok {
				return liveMsg{gen: sub.gen, evs: evs}
			}
		case <-sub.ctx.Done():
		}
		return nil
	})
}
