package workflow

import (
	"strings"

	"github.com/aiex-dev/aiex/app/parse"
)

// Remarks is what the model said after the code of its answer: the prose
// after the last code block, trimmed — gen module's design choices, gen
// tests' what is left untested, a refactoring's notes after its diff,
// which the prompts ask for there. "" when nothing follows the block,
// when the answer has no closed block (its end is code, or cut short),
// and when what follows holds a diff outside a fence (that is code, not
// a remark).
func Remarks(answer string) string {
	blocks := parse.CodeBlocks(answer)
	if len(blocks) == 0 {
		return ""
	}
	last := blocks[len(blocks)-1]
	if !last.Closed {
		return ""
	}
	lines := strings.SplitAfter(strings.ReplaceAll(answer, "\r\n", "\n"), "\n")
	if last.EndLine >= len(lines) {
		return ""
	}
	rest := strings.TrimSpace(strings.Join(lines[last.EndLine:], ""))
	if _, bare := parse.DiffPlaces(rest); bare {
		return ""
	}
	return rest
}
