package session_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
)

// TestExportNamesNodes: the Markdown names the nodes a session and its
// turns record by ID by their names, as a provider of another node
// (n2/ollama) names its node: "on n2 (asked on n1)", not "on n2 (asked on
// node-a)". The JSON keeps the IDs, with the names beside them.
func TestExportNamesNodes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	now := time.Now()
	if _, err := e.st.Execute(ctx, db.UpsertNodeStmt(&db.Node{ID: "node-a", Name: "n1", StartedAt: now, LastSeen: now})); err != nil {
		t.Fatal(err)
	}
	s, err := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "q"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: "a", Provider: "n2/ollama", Model: "tiny", Node: "node-a"}); err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := e.svc.Export(ctx, session.Ref(s.ID()), "/p", session.FormatMarkdown, &md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "on n2 (asked on n1)") || strings.Contains(md.String(), "node-a") {
		t.Errorf("markdown:\n%s\nwant the nodes by name", md.String())
	}
	var js bytes.Buffer
	if err := e.svc.Export(ctx, session.Ref(s.ID()), "/p", session.FormatJSON, &js); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"node": "node-a"`) || !strings.Contains(js.String(), `"node-a": "n1"`) {
		t.Errorf("json:\n%s\nwant the IDs, and their names beside", js.String())
	}
}

// TestRecentNamesNodes: session resume's last turns name their nodes as
// session show does (it said "on node-a" where show said "on n1").
func TestRecentNamesNodes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	now := time.Now()
	if _, err := e.st.Execute(ctx, db.UpsertNodeStmt(&db.Node{ID: "node-a", Name: "n1", StartedAt: now, LastSeen: now})); err != nil {
		t.Fatal(err)
	}
	s, err := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	turn(t, s, "q", "a")
	var md bytes.Buffer
	d := s.Recent(ctx, 1)
	if err := d.WriteTurn(&md, d.Turns[0]); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "on n1") || strings.Contains(md.String(), "node-a") {
		t.Errorf("resume's turn:\n%s\nwant its node by name", md.String())
	}
}
