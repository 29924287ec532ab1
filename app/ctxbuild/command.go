package ctxbuild

import "strings"

// Command is how a workflow's request is recorded, in the history and in
// its session's turn — `refactor TARGET: GOAL`, `gen tests TARGET` —, and
// how it comes here as the request's Question: app asks with one string,
// which it both records and builds the context with. Such a question is
// no words of the user's: the refactoring's goal is in Data.Goal, which
// its template shows as the goal, and gen tests has none. So Build takes
// a refactor's or gen tests' Question equal to Command(Task, Target,
// Data.Goal) as none — it would
// go to the model again after the goal (`Notes: refactor …`) or as a line
// of its own, and the search would look for the command's words (`gen`,
// `tests`), finding code unrelated to the target. The search then looks
// for the goal and the target's name (words).
func Command(task, target, goal string) string {
	cmd := strings.ReplaceAll(task, "-", " ") + " " + target
	if goal != "" {
		cmd += ": " + goal
	}
	return cmd
}

// words are what the search looks for and the outline brings back first
// of a request: its goal (a refactoring's), then the question.
func (r Request) words() string {
	return strings.TrimSpace(r.Data.Goal + " " + r.Question)
}
