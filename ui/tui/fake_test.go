package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
)

// fakeBackend is a Backend in memory. Ask streams the chunks of the next
// answer; with hold set it waits, after the chunks, until release is
// closed (or its context ends). Subscribe delivers what is sent on feed
// and ends with the error sent on drop. While down, every call fails with
// ErrUnreachable.
type fakeBackend struct {
	mu         sync.Mutex
	docs       map[string]*session.Document
	list       []session.Info
	models     []ModelInfo
	modelsErr  error
	modelsGate chan struct{} // when set, Models waits for it to close
	status     Status
	statusErr  error // what Status returns when the backend is up
	down       bool
	chunks     []string
	echo       bool // answer "re: " and the prompt instead of chunks
	hold       bool
	release    chan struct{}
	askErr     error
	result     AskResult
	asks       []AskRequest
	docReads   []string
	subs       []subCall
	nextTurn   int64
	work       fakeWork

	asked      chan AskRequest // each Ask, as it starts (buffered)
	subscribed chan subCall    // each Subscribe, as it starts (buffered)
	streamed   chan int        // each Ask's chunks all written: their bytes (buffered)
	feed       chan []events.Event
	drop       chan error
}

type subCall struct {
	streams []string
	after   int64
	ctx     context.Context
}

func newFake() *fakeBackend {
	return &fakeBackend{
		docs:       map[string]*session.Document{},
		status:     Status{Node: "n1", Mode: "embedded", Leader: "n1", Members: 1},
		release:    make(chan struct{}),
		result:     AskResult{Provider: "fake", Model: "m1", Node: "n1", PromptTokens: 3, CompletionTokens: 5},
		asked:      make(chan AskRequest, 16),
		subscribed: make(chan subCall, 16),
		streamed:   make(chan int, 16),
		feed:       make(chan []events.Event),
		drop:       make(chan error, 1),
	}
}

func (f *fakeBackend) unreachable() error {
	if f.down {
		return fmt.Errorf("fake: %w", ErrUnreachable)
	}
	return nil
}

func (f *fakeBackend) Ask(ctx context.Context, req AskRequest, fn func(string)) (*AskResult, error) {
	f.mu.Lock()
	if err := f.unreachable(); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	f.asks = append(f.asks, req)
	chunks, hold, release, askErr := f.chunks, f.hold, f.release, f.askErr
	if f.echo {
		chunks = []string{"re: " + req.Prompt}
	}
	res := f.result
	f.nextTurn++
	res.Turn = f.nextTurn
	res.Session = req.Session
	if req.Session == "new" {
		res.Session = "s-new"
	}
	f.mu.Unlock()
	f.asked <- req
	n := 0
	for _, c := range chunks {
		fn(c)
		n += len(c)
	}
	f.streamed <- n
	if hold {
		select {
		case <-release:
		case <-ctx.Done():
			return &res, ctx.Err()
		}
	}
	return &res, askErr
}

func (f *fakeBackend) Sessions(context.Context) ([]session.Info, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.list, f.unreachable()
}

func (f *fakeBackend) Session(_ context.Context, ref string) (*session.Document, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.docReads = append(f.docReads, ref)
	if err := f.unreachable(); err != nil {
		return nil, err
	}
	d, ok := f.docs[ref]
	if !ok {
		return nil, fmt.Errorf("no session %q", ref)
	}
	return d, nil
}

func (f *fakeBackend) Models(ctx context.Context) ([]ModelInfo, error) {
	f.mu.Lock()
	gate := f.modelsGate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.models, f.modelsErr
}

func (f *fakeBackend) Subscribe(ctx context.Context, streams []string, after int64, fn func([]events.Event) error) error {
	f.mu.Lock()
	if err := f.unreachable(); err != nil {
		f.mu.Unlock()
		return err
	}
	call := subCall{streams: streams, after: after, ctx: ctx}
	f.subs = append(f.subs, call)
	f.mu.Unlock()
	f.subscribed <- call
	for {
		select {
		case evs := <-f.feed:
			if err := fn(evs); err != nil {
				return err
			}
		case err := <-f.drop:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (f *fakeBackend) Status(context.Context) (Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.unreachable(); err != nil {
		return f.status, err
	}
	return f.status, f.statusErr
}

func (f *fakeBackend) set(fn func(f *fakeBackend)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeBackend) lastSub() (subCall, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.subs) == 0 {
		return subCall{}, 0
	}
	return f.subs[len(f.subs)-1], len(f.subs)
}

// testNow is the clock of the tests' models.
var testNow = time.Date(2026, 3, 4, 15, 4, 5, 0, time.UTC)

// doc makes a session document with one completed turn per prompt and
// answer pair.
func doc(id string, version int64, pairs ...string) *session.Document {
	d := &session.Document{Session: session.Info{ID: id, Project: "/p", Title: pairs[0], Status: "active", Version: version,
		Actor: "cli", Node: "n1", CreatedAt: testNow.Add(-time.Hour), UpdatedAt: testNow.Add(-10 * time.Minute)}}
	for i := 0; i+1 < len(pairs); i += 2 {
		n := int64(i/2 + 1)
		d.Turns = append(d.Turns, session.Turn{N: n, Status: "completed", Prompt: pairs[i], Answer: pairs[i+1],
			Provider: "ollama", Model: "tiny", Node: "n1", PromptTokens: 10 * n, CompletionTokens: 20 * n,
			TotalMillis: 1500, Actor: "cli", StartedAt: testNow.Add(-time.Hour)})
		d.Session.Turns = n
		d.Session.PromptTokens += 10 * n
		d.Session.CompletionTokens += 20 * n
	}
	return d
}

// event makes an event of a session's stream.
func event(id int64, sess string, version int64, typ, actor string, payload any) events.Event {
	b, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	return events.Event{ID: id, Stream: session.Stream(sess), Version: version, Type: typ, Schema: 1, Payload: b,
		Node: "n2", Actor: actor, Time: testNow}
}
