package tui

import (
	"regexp"
	"strings"

	"github.com/aiex-dev/aiex/app/session"
)

// printable is s as the screen shows it. Text from elsewhere (prompts
// asked from other interfaces, errors, file names and contents, model
// names) may hold escape sequences and control characters, which the
// terminal would act on: they are dropped as session.Printable drops them
// for every other place aiex shows such text, and tabs become four spaces
// (a tab's width is the terminal's to choose).
func printable(s string) string {
	return strings.ReplaceAll(session.Printable(s), "\t", "    ")
}

// oneLine is s on one line, printable.
func oneLine(s string) string { return strings.Join(strings.Fields(printable(s)), " ") }

// brokeOffTwice matches an error said twice over: the coordinator
// (app/coord/failure.go: "the answer from PROVIDER (MODEL) broke off: …")
// wraps the provider's own message, which starts the same way
// (providers/ollama, openai, anthropic: "the answer from NAME at ENDPOINT
// broke off after N chunks: …").
var brokeOffTwice = regexp.MustCompile(`the answer from (.+?) broke off: the answer from .+? at (\S+) broke off after `)

// errorText is an error's message as the conversation shows it: on one
// line, what the layers below both said said once.
func errorText(s string) string {
	return brokeOffTwice.ReplaceAllString(oneLine(s), "the answer from $1 at $2 broke off after ")
}
