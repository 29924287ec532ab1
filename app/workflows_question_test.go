package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// questionProject is an Elixir project with a function to change and to
// test, and a module whose words are those of the commands (gen, tests,
// refactor) and of nothing the target does.
var questionProject = map[string]string{
	"mix.exs": shopMix,
	"lib/mini.ex": "defmodule Mini do\n  @moduledoc \"Mini.\"\n\n  def first(x), do: x\n\n  @timeout 5_000\n" +
		"  def fetch(opts), do: Keyword.get(opts, :timeout, @timeout)\nend\n",
	"lib/tools.ex": "defmodule Shop.Tools do\n  @moduledoc \"Gen tests and refactor helpers: gen tests for a refactor.\"\n\n" +
		"  def gen_tests(refactor), do: {:gen, :tests, refactor}\nend\n",
}

// TestTaskQuestion: refactor asks the model its goal once, with no
// "Notes" line repeating the command, and gen tests ends with the target,
// not with the command; neither searches the command's words (the module
// named like them stays out), and both are recorded as the command.
func TestTaskQuestion(t *testing.T) {
	ctx := context.Background()
	root := writeProject(t, questionProject)
	for _, tt := range []struct {
		name, reply, recorded string
		run                   func(*app.App) (*app.TaskResult, error)
	}{
		{"refactor", "```diff\n```\n", "refactor Mini.fetch/1: make the timeout configurable", func(a *app.App) (*app.TaskResult, error) {
			return a.Refactor(ctx, app.TaskRequest{Root: root, Target: "Mini.fetch/1", Goal: "make the timeout configurable", Actor: "test"}, func(string) error { return nil })
		}},
		{"gen tests", "```elixir test/mini_test.exs\n```\n", "gen tests Mini.fetch/1", func(a *app.App) (*app.TaskResult, error) {
			return a.GenTests(ctx, app.TaskRequest{Root: root, Target: "Mini.fetch/1", Actor: "test"}, func(string) error { return nil })
		}},
	} {
		fake := providertest.NewOllama(t, providertest.WithReply(tt.reply))
		a := taskApp(t, fake.URL())
		if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
			t.Fatal(err)
		}
		res, _ := tt.run(a)
		reqs := fake.Requests()
		if len(reqs) != 1 || len(reqs[0].Messages) == 0 {
			t.Fatalf("%s: %d requests", tt.name, len(reqs))
		}
		user := reqs[0].Messages[len(reqs[0].Messages)-1].Content
		if strings.Contains(user, "Notes:") || strings.Contains(user, tt.recorded) || strings.Contains(user, "Shop.Tools") {
			t.Errorf("%s: the prompt repeats the command or searched its words:\n%s", tt.name, user)
		}
		if tt.name == "refactor" && strings.Count(user, "make the timeout configurable") != 1 {
			t.Errorf("refactor: want the goal once:\n%s", user)
		}
		if res == nil || res.Answer == nil || res.Answer.Interaction == nil || res.Answer.Interaction.Prompt != tt.recorded {
			t.Errorf("%s: recorded as %+v; want %q", tt.name, res, tt.recorded)
		}
	}
}
