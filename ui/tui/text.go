package tui

import (
	"regexp"
	"strings"

	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/app/session"
)

// printable is s as the screen shows it. Text from elsewhere (prompts
// asked from other interfaces, errors, file names and contents, model
// names) may hold escape sequences and control characters, which the
// terminal would act on: they are dropped as session.Printable drops them
// for every other place aiex shows such text, and tabs become four spaces
// (a tab's width is the terminal's to choose).
func printable(s string) string {
	return withoutSkinTones(strings.ReplaceAll(session.Printable(s), "\t", "    "))
}

// The emoji modifiers (Fitzpatrick types 1–2 to 6: 🏻 🏼 🏽 🏾 🏿).
const (
	skinToneFirst = '\U0001F3FB'
	skinToneLast  = '\U0001F3FF'
)

func isSkinTone(r rune) bool { return r >= skinToneFirst && r <= skinToneLast }

// withoutSkinTones is s without emoji skin-tone modifiers, for the
// screen only (what is sent and stored keeps them). The layout measures
// text by grapheme clusters, where 👍🏽 is one emoji two columns wide;
// tmux and many terminals do not cluster and draw the modifier as an
// emoji of its own, two columns more, so that every line holding one ran
// past the width, wrapped, and pushed the screen down a row (the editor
// and status bar drawn twice) for as long as it showed. Counting the
// modifier as two columns instead would break the terminals that do
// cluster, the other way round; the base emoji is two columns
// everywhere, so without its modifier the line is as wide as measured on
// every terminal. The tone is lost on screen, not the emoji.
func withoutSkinTones(s string) string {
	if strings.IndexFunc(s, isSkinTone) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isSkinTone(r) {
			return -1
		}
		return r
	}, s)
}

// shownName is a path or a chunk's name as the screen shows it. Names
// come from the project's files (a cloned repository chooses them) and
// from a model's diff: printable would drop what is in them that the
// terminal would act on, and show another name, and keeps bidi controls,
// which show the name as another too. So a name that holds anything that
// does not print as it is is quoted, its characters escaped, as the CLI
// and the sandbox's refusals show it (sandbox.QuoteName).
func shownName(s string) string { return sandbox.QuoteName(s) }

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
