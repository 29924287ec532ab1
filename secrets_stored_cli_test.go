package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestPastedKeyIsNotStored: a question that holds the user's own API key,
// and an answer that echoes it, are shown as they are on the user's
// terminal but stored (and so replicated to teammates) without it: not in
// history, the session, its export, nor any file of the data dir.
func TestPastedKeyIsNotStored(t *testing.T) {
	const key = "sk-proj-Zq7xPASTEDkey0123456789"
	oai := providertest.NewOpenAI(t, providertest.WithReply("you sent ", key[:12], key[12:], " as your key"), providertest.WithOpenAIKey(key))
	s := newSandbox(t, providertest.Unreachable(t))
	s.writeConfig(fmt.Sprintf("[providers.openai]\nbase_url = %q\n", oai.URL()))
	if r := s.run(key+"\n", "keys", "set", "openai"); r.code != 0 {
		t.Fatalf("keys set: exit %d: %s", r.code, r.stderr)
	}
	r := s.run("", "ask", "--provider", "openai", "-m", providertest.DefaultOpenAIModel, "why does "+key+" fail?")
	if r.code != 0 || !strings.Contains(r.stdout, "you sent "+key+" as your key") {
		t.Fatalf("ask: exit %d: stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	asked := false
	for _, req := range oai.Requests() {
		asked = asked || req.Chat != nil && strings.Contains(string(req.Body), "why does "+key)
	}
	if !asked {
		t.Fatal("the provider did not get the question as asked")
	}
	var outputs []string
	for _, args := range [][]string{{"history", "--json"}, {"session", "show", "last"}, {"session", "export", "last"}, {"session", "show", "last", "--json"}} {
		r := s.run("", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		outputs = append(outputs, r.stdout)
	}
	if !strings.Contains(outputs[0], "why does [redacted] fail?") || !strings.Contains(outputs[0], "you sent [redacted] as your key") {
		t.Errorf("history does not show the exchange redacted: %s", outputs[0])
	}
	for i, o := range outputs {
		if strings.Contains(o, key[:8]) && strings.Contains(o, key[8:16]) {
			t.Errorf("output %d shows the key: %s", i, o)
		}
	}
	noFileHolds(t, s.dataDir(), key)
}

// noFileHolds fails t for each file under dir that holds secret as it is.
func noFileHolds(t *testing.T, dir, secret string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), secret) {
			t.Errorf("%s holds the secret in plain text", path)
		}
		return nil
	})
}

// TestAskJSONThroughNodeRedacted: through a running node, ask --json shows
// the interaction as the node stored it, without the key the question
// held, while the answer streams as it came.
func TestAskJSONThroughNodeRedacted(t *testing.T) {
	const key = "sk-proj-Zq7xNODEkey0123456789abc"
	oai := providertest.NewOpenAI(t, providertest.WithReply("you sent ", key), providertest.WithOpenAIKey(key))
	s := newSandbox(t, providertest.Unreachable(t))
	s.writeConfig(fmt.Sprintf("[providers.openai]\nbase_url = %q\n", oai.URL()))
	if r := s.run(key+"\n", "keys", "set", "openai"); r.code != 0 {
		t.Fatalf("keys set: exit %d: %s", r.code, r.stderr)
	}
	s.startNode()
	r := s.run("", "--json", "ask", "--provider", "openai", "-m", providertest.DefaultOpenAIModel, "--no-code", "my key is "+key)
	if r.code != 0 || !strings.Contains(r.stdout, "my key is [redacted]") {
		t.Fatalf("ask --json through the node: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, key[8:20]) {
		t.Errorf("the JSON shows the key:\n%s", r.stdout)
	}
}
