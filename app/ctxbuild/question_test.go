package ctxbuild

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/prompt"
)

// TestQuestionAsGiven: the Question is the user's words whatever they
// read like. A workflow that has none (refactor: its goal is Data.Goal;
// gen tests) passes none, and what it is recorded as is app's business;
// a question that reads like the command ("refactor T: GOAL", typed as
// such) goes to the model as given.
func TestQuestionAsGiven(t *testing.T) {
	e := setup(t)
	const target, goal = "MyApp.Accounts.get_user/1", "return {:error, :not_found} instead of nil"
	for _, tt := range []struct {
		task, question, goal string
	}{
		{"refactor", "refactor " + target + ": " + goal, goal},
		{"refactor", "", goal},
		{"gen-tests", "gen tests " + target, ""},
		{"gen-tests", "", ""},
	} {
		c := e.build(t, Request{Task: tt.task, Target: target, Question: tt.question, Data: prompt.Data{Goal: tt.goal}, Window: 8000})
		if c.Data.Question != tt.question {
			t.Errorf("%s with question %q: the prompt's question is %q", tt.task, tt.question, c.Data.Question)
		}
		user := c.Prompt[len(c.Prompt)-1].Content
		if tt.question != "" && !strings.Contains(user, tt.question) {
			t.Errorf("%s: the prompt lacks the question %q:\n%s", tt.task, tt.question, user)
		}
	}
}
