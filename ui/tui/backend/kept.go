package backend

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/ui/tui"
)

// kept holds the part of an answer that reached this TUI before the
// process answering it went away (killed, crashed), for the turns it was
// cut in. That process alone had the text, and it is gone: the next one
// on the data dir finds the turn running and marks it interrupted with no
// answer. The text arrived here, though, and was shown; so the session
// and its events, as this backend returns them, carry it in place of the
// empty answer, and the answer does not vanish from the screen when the
// TUI reloads the session.
type kept struct {
	mu    sync.Mutex
	turns map[keptTurn]string
}

type keptTurn struct {
	session string
	turn    int64
}

// ask runs do, collecting the text it streams to fn, and keeps it when
// the answer is cut off because its node went away.
func (k *kept) ask(fn func(string), do func(func(string)) (*tui.AskResult, error)) (*tui.AskResult, error) {
	var text strings.Builder
	res, err := do(func(s string) {
		text.WriteString(s)
		fn(s)
	})
	if err != nil && errors.Is(err, tui.ErrUnreachable) && res != nil && res.Session != "" && res.Turn > 0 && text.Len() > 0 {
		k.mu.Lock()
		if k.turns == nil {
			k.turns = map[keptTurn]string{}
		}
		k.turns[keptTurn{res.Session, res.Turn}] = text.String()
		k.mu.Unlock()
	}
	return res, err
}

// text is what arrived of turn n of session id, if it was cut off here
// and the record has less of it.
func (k *kept) text(id string, n int64, recorded string) (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	t, ok := k.turns[keptTurn{id, n}]
	if !ok || len(recorded) >= len(t) {
		return "", false
	}
	return t, true
}

// document puts the text kept into the interrupted turns of doc whose
// record has less of it.
func (k *kept) document(doc *session.Document) *session.Document {
	if doc == nil {
		return doc
	}
	for i := range doc.Turns {
		t := &doc.Turns[i]
		if t.Status != "interrupted" && !t.Orphaned {
			continue
		}
		if text, ok := k.text(doc.Session.ID, t.N, t.Answer); ok {
			t.Answer = text
		}
	}
	return doc
}

// events does the same for the turn.interrupted events of evs (a copy
// of evs when one changes: the subscription's may be shared).
func (k *kept) events(evs []events.Event) []events.Event {
	copied := false
	for i, ev := range evs {
		if ev.Type != session.TypeTurnInterrupted || !strings.HasPrefix(ev.Stream, session.StreamPrefix) {
			continue
		}
		var p map[string]json.RawMessage
		if json.Unmarshal(ev.Payload, &p) != nil {
			continue
		}
		var n int64
		var answer string
		if json.Unmarshal(p["turn"], &n) != nil {
			continue
		}
		if a, ok := p["answer"]; ok && json.Unmarshal(a, &answer) != nil {
			continue
		}
		text, ok := k.text(strings.TrimPrefix(ev.Stream, session.StreamPrefix), n, answer)
		if !ok {
			continue
		}
		p["answer"], _ = json.Marshal(text)
		b, err := json.Marshal(p)
		if err != nil {
			continue
		}
		if !copied {
			evs, copied = append([]events.Event(nil), evs...), true
		}
		evs[i].Payload = b
	}
	return evs
}

// keeping is a Backend through a node that may go away mid-answer (see
// kept): its questions' text is kept when cut off, and put back into the
// sessions and events it returns.
type keeping struct {
	tui.Backend
	kept kept
}

func (b *keeping) Ask(ctx context.Context, req tui.AskRequest, fn func(string)) (*tui.AskResult, error) {
	return b.kept.ask(fn, func(fn func(string)) (*tui.AskResult, error) {
		return b.Backend.Ask(ctx, req, fn)
	})
}

func (b *keeping) Session(ctx context.Context, ref string) (*session.Document, error) {
	doc, err := b.Backend.Session(ctx, ref)
	return b.kept.document(doc), err
}

func (b *keeping) Subscribe(ctx context.Context, streams []string, after int64, fn func([]events.Event) error) error {
	return b.Backend.Subscribe(ctx, streams, after, func(evs []events.Event) error {
		return fn(b.kept.events(evs))
	})
}

// Serving is the wrapped backend's (see Serving).
func (b *keeping) Serving(ctx context.Context) (int, error) { return Serving(ctx, b.Backend) }
