package session

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/db"
)

// TestTextSpan: where a replay copies a turn's text from — the raw bytes,
// the JSON string, or nowhere — for payloads encoding/json wrote and for
// others.
func TestTextSpan(t *testing.T) {
	marshal := func(p any) string {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tc := range []struct {
		name, payload, s string
		id               int64
		want             db.PayloadSpan // Event 0: none
	}{
		{"plain", marshal(&TurnCompleted{Turn: 1, Outcome: Outcome{Answer: "plain"}}), "plain", 7,
			db.PayloadSpan{Event: 7, Off: 20, Len: 5}},
		{"escaped", marshal(&TurnCompleted{Turn: 1, Outcome: Outcome{Answer: "a\n<b>"}}), "a\n<b>", 7,
			db.PayloadSpan{Event: 7, Off: 19, Len: 18, JSON: true}},
		{"not read from the log", marshal(&TurnCompleted{Turn: 1, Outcome: Outcome{Answer: "plain"}}), "plain", 0,
			db.PayloadSpan{}},
		{"empty", `{"turn":1,"answer":""}`, "", 7, db.PayloadSpan{}},
		{"NUL", marshal(&TurnCompleted{Turn: 1, Outcome: Outcome{Answer: "a\x00b"}}), "a\x00b", 7, db.PayloadSpan{}},
		{"other escapes", `{"turn":1,"answer":"\u0041\/"}`, "A/", 7, db.PayloadSpan{}},
		{"duplicate key, first differs", `{"answer":"one\n","answer":"two\n"}`, "two\n", 7, db.PayloadSpan{}},
		{"duplicate key, first is a prefix", `{"answer":"two and more","answer":"two"}`, "two", 7,
			db.PayloadSpan{Event: 7, Off: 11, Len: 3}}, // the same bytes: as good
		{"spaces", `{"turn":1, "answer": "plain"}`, "plain", 7, db.PayloadSpan{}},
		{"cut short", `{"turn":1,"answer":"pla`, "plain", 7, db.PayloadSpan{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := &events.Event{ID: tc.id, Payload: []byte(tc.payload)}
			got, ok := textSpan(ev, answerKey, tc.s)
			if got != tc.want || ok != (tc.want.Event != 0) {
				t.Fatalf("textSpan(%s, %q) = %+v, %v; want %+v", tc.payload, tc.s, got, ok, tc.want)
			}
			if !ok {
				return
			}
			b := tc.payload[got.Off : got.Off+got.Len]
			if got.JSON {
				var s string
				if err := json.Unmarshal([]byte(b), &s); err != nil || s != tc.s {
					t.Fatalf("span %q decodes to %q, %v", b, s, err)
				}
			} else if b != tc.s {
				t.Fatalf("span %q", b)
			}
		})
	}
}

// TestRefsOfAReplay: a replay copies the prompts, answers and contexts
// this package writes from their events; texts only where it cannot.
func TestRefsOfAReplay(t *testing.T) {
	reg, err := events.NewRegistry(Types()...)
	if err != nil {
		t.Fatal(err)
	}
	st := newState("s")
	ctxJSON := json.RawMessage(`{"tokens":3,"chunks":[{"path":"a<b>.go","name":"f","tokens":3}]}`)
	id := int64(100)
	apply := func(p events.Payload) {
		t.Helper()
		typ, schema, payload, err := reg.Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		id++
		ev := &events.Event{ID: id, Stream: Stream("s"), Version: st.Version() + 1, Type: typ, Schema: schema, Payload: payload}
		dp, err := reg.Decode(ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Apply(ev, dp); err != nil {
			t.Fatal(err)
		}
	}
	apply(&Started{Project: "/p"})
	apply(&TurnStarted{Turn: 1, Prompt: "plain", Owner: "o", Key: "k", Context: ctxJSON})
	apply(&TurnCompleted{Turn: 1, Outcome: Outcome{Answer: "line\nbreak", Provider: "p"}})
	apply(&TurnStarted{Turn: 2, Prompt: "nul\x00", Owner: "o", Key: "k2"})
	apply(&TurnInterrupted{Turn: 2, Outcome: Outcome{Answer: "partial", Reason: "cut"}})
	apply(&TurnCompleted{Turn: 2, Outcome: Outcome{Context: ctxJSON}})

	r1, r2 := st.refs[1], st.refs[2]
	if r1 == nil || r1.PromptSpan.Event != 102 || r1.PromptSpan.JSON || r1.ContextSpan.Event != 102 ||
		r1.ContextSpan.Len != len(st.Turns[0].Context) || r1.AnswerSpan.Event != 103 || !r1.AnswerSpan.JSON {
		t.Errorf("turn 1 refs = %+v", r1)
	}
	if r2 == nil || r2.PromptSpan.Event != 0 || r2.AnswerSpan.Event != 0 || r2.ContextSpan.Event != 106 {
		t.Errorf("turn 2 refs = %+v", r2) // a NUL travels; the answer is now empty; the context is the last event's
	}
}

// TestWriteInHalves: the turns' statements built in two halves are the
// statements built in one go.
func TestWriteInHalves(t *testing.T) {
	reg, err := events.NewRegistry(Types()...)
	if err != nil {
		t.Fatal(err)
	}
	var folds []events.Fold
	var sessions []db.SessionRow
	var turns []db.SessionTurn
	var usage []db.SessionUsage
	for s := range 3 {
		st := newState(fmt.Sprint("s", s))
		applyTo(t, reg, st, &Started{Project: "/p"})
		for n := int64(1); n <= 2100; n++ {
			applyTo(t, reg, st, &TurnStarted{Turn: n, Prompt: fmt.Sprint("q", n), Owner: "o", Key: fmt.Sprint(n)})
			applyTo(t, reg, st, &TurnCompleted{Turn: n, Outcome: Outcome{Answer: fmt.Sprint("a", n), Provider: "p", Model: "m"}})
		}
		folds = append(folds, st)
		sessions, turns, usage = append(sessions, st.Session), append(turns, st.Turns...), append(usage, st.Usage...)
	}
	got, err := projection{}.Write(folds)
	if err != nil {
		t.Fatal(err)
	}
	want := db.UpsertSessionsStmts(sessions)
	want = append(want, db.UpsertSessionTurnsStmts(turns)...)
	want = append(want, db.UpsertSessionUsageStmts(usage)...)
	if len(got) != len(want) || len(want) != 6 {
		t.Fatalf("%d statements; want %d (6)", len(got), len(want))
	}
	for i := range want {
		if got[i].SQL != want[i].SQL {
			t.Fatalf("statement %d differs", i)
		}
	}
}

// applyTo folds p into st as an event not read from the log.
func applyTo(t *testing.T, reg *events.Registry, st *state, p events.Payload) {
	t.Helper()
	typ, schema, payload, err := reg.Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	ev := &events.Event{Stream: Stream(st.Session.ID), Version: st.Version() + 1, Type: typ, Schema: schema, Payload: payload}
	dp, err := reg.Decode(ev)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(ev, dp); err != nil {
		t.Fatal(err)
	}
}
