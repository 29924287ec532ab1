package coord_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// testKey is the API key of the keyed provider in these tests.
const testKey = "sk-proj-Zq7xW2pLm9Kc4TvB8nR1yH6dF3gJ0sA5"

// keyed is a scripted provider that holds credentials, as the real ones
// do: it says which (coord.SecretHolder).
type keyed struct {
	*pt.Scripted
	secrets *providers.Redactor
}

func (k keyed) Secrets() *providers.Redactor { return k.secrets }

func newKeyed(name string, steps ...pt.Step) keyed {
	return keyed{pt.NewScripted(name, "openai", steps...), providers.NewRedactor(testKey)}
}

// stored reads the interaction id as the store has it, and fails the test
// if its prompt, answer, error or route show the key.
func stored(t *testing.T, st *db.Store, id string) db.Interaction {
	t.Helper()
	rec, found, err := st.Interaction(context.Background(), id)
	if err != nil || !found {
		t.Fatalf("interaction %s not in the store (%v)", id, err)
	}
	texts := map[string]string{"prompt": rec.Prompt, "response": rec.Response, "error": rec.Error}
	for i, a := range rec.Route {
		texts[fmt.Sprintf("error of attempt %d", i+1)] = a.Error
	}
	for what, s := range texts {
		if strings.Contains(s, testKey[8:24]) {
			t.Errorf("the stored %s shows the key: %q", what, s)
		}
	}
	return rec
}

// TestPromptWithKeyIsStoredRedacted: a user who pastes a configured
// provider's key into a question gets it sent to the model as asked, but
// the request's record, which every node of the cluster receives, holds
// [redacted] in its place — from the first write, while the request
// runs, on. A local model answering does not make the cloud provider's
// key any less a secret.
func TestPromptWithKeyIsStoredRedacted(t *testing.T) {
	release := make(chan struct{})
	local := pt.NewScripted("local", "ollama", pt.Step{Block: release, Chunks: []string{"check ", "the key"}})
	cloud := newKeyed("cloud", ok("unused"))
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(local, true), target(cloud, false)}})
	question := "why does " + testKey + " fail?"

	type result struct {
		in  *db.Interaction
		err error
	}
	done := make(chan result, 1)
	go func() {
		in, err := e.c.Chat(context.Background(), coord.Request{Prompt: question,
			Messages: []providers.Message{{Role: providers.RoleUser, Content: question}}}, func(providers.Chunk) error { return nil })
		done <- result{in, err}
	}()
	// The request is recorded as running before the provider is asked.
	for local.Calls() == 0 {
		time.Sleep(time.Millisecond) // poll until the request is in flight
	}
	running, err := e.store.Interactions(context.Background(), 1)
	if err != nil || len(running) != 1 {
		t.Fatalf("%d interactions recorded while it runs (%v); want 1", len(running), err)
	}
	if rec := stored(t, e.store, running[0].ID); rec.Prompt != "why does [redacted] fail?" {
		t.Errorf("running record's prompt = %q, want the key redacted", rec.Prompt)
	}
	close(release)
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	if got := local.Requests()[0].Messages[0].Content; got != question {
		t.Errorf("the model was asked %q, want the question as the user wrote it", got)
	}
	if res.in.Prompt != question {
		t.Errorf("the interaction returned has prompt %q, want it as asked", res.in.Prompt)
	}
	if rec := stored(t, e.store, res.in.ID); rec.Prompt != "why does [redacted] fail?" || rec.Response != "check the key" {
		t.Errorf("stored prompt %q, answer %q; want the key redacted and the answer as it was", rec.Prompt, rec.Response)
	}
}

// TestAnswerEchoingKeyIsStoredRedacted: a gateway that echoes the key in
// its answer (split across chunks, as it streams) has it streamed to the
// user and returned to the caller as it came, and recorded without it —
// a whole answer, one cut off mid-stream (with the provider's error), and
// the error text of one that failed before any token.
func TestAnswerEchoingKeyIsStoredRedacted(t *testing.T) {
	broke := &providers.Error{Provider: "gw", Kind: providers.KindUnavailable, Message: "stream reset; sent Bearer " + testKey}
	chunks := []string{"you sent ", testKey[:20], testKey[20:], " as your key"}
	for _, tt := range []struct {
		name         string
		step         pt.Step
		status       string
		streamed     string
		wantResponse string
		wantError    string
	}{
		{"whole", ok(chunks...), db.StatusOK, strings.Join(chunks, ""), "you sent [redacted] as your key", ""},
		{"cut off", pt.Step{Chunks: chunks[:2], Err: broke}, db.StatusInterrupted, "you sent " + testKey[:20], "you sent [redacted]",
			"stream reset; sent Bearer [redacted]"},
		{"failed", pt.Step{Err: &providers.Error{Provider: "gw", Kind: providers.KindBadRequest, Message: "bad key " + testKey}},
			db.StatusError, "", "", "bad key [redacted]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gw := newKeyed("gw", tt.step)
			e := newEnv(t, coord.Config{MaxAttempts: 1, Targets: []coord.Target{target(gw, false)}})
			out, in, _ := e.chat(t, coord.Request{})
			if out != tt.streamed {
				t.Errorf("streamed %q, want %q as the provider sent it", out, tt.streamed)
			}
			if in == nil {
				t.Fatal("no interaction returned")
			}
			if in.Response != tt.streamed {
				t.Errorf("returned answer %q, want %q as it arrived", in.Response, tt.streamed)
			}
			rec := stored(t, e.store, in.ID)
			if rec.Status != tt.status || rec.Response != tt.wantResponse || !strings.Contains(rec.Error, tt.wantError) {
				t.Errorf("stored %s, answer %q, error %q; want %s, %q, an error with %q",
					rec.Status, rec.Response, rec.Error, tt.status, tt.wantResponse, tt.wantError)
			}
		})
	}
}

// BenchmarkRecordLargeAnswer streams a 4 MiB answer through a coordinator
// recording to the embedded store, with no provider holding a secret and
// with three keys and a password configured (their Redactor scans the
// whole answer before it is stored): the difference is what redaction
// costs a large answer.
func BenchmarkRecordLargeAnswer(b *testing.B) {
	chunk := strings.Repeat("func f() { return x }  ", 2) + "\n"
	chunks := make([]string, (4<<20)/len(chunk))
	for i := range chunks {
		chunks[i] = chunk
	}
	answer := ok(chunks...)
	secrets := providers.JoinRedactors(providers.NewRedactor("sk-proj-"+strings.Repeat("Ab3dEf9hIj", 16)),
		providers.NewRedactor("sk-ant-api03-"+strings.Repeat("Zq7xW2pLm9", 10)), providers.NewRedactor("s3cretpass", "dXNlcjpzM2NyZXRwYXNz"))
	for _, tc := range []struct {
		name string
		p    providers.Provider
	}{
		{"no-secrets", pt.NewScripted("p", "ollama", answer)},
		{"secrets", keyed{pt.NewScripted("p", "ollama", answer), secrets}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			st := dbtest.Open(b) // its own: a store grown by the other's answers writes slower
			c := coord.New(coord.Config{Targets: []coord.Target{target(tc.p, true)}, Recorder: st, Node: st.NodeID()})
			defer c.Close()
			b.SetBytes(int64(len(chunk) * len(chunks)))
			for b.Loop() {
				if _, err := c.Chat(context.Background(), coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "q"}}},
					func(providers.Chunk) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
