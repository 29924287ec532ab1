package app

import (
	"fmt"
	"strings"

	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/db"
)

// promptCut says, when the model counted the prompt at the whole window p
// planned it for (or more), that the server most likely cut it: Ollama cuts
// an overlong prompt without a word and reports the tokens it kept. The
// next prompts are fitted by that count, a floor of the real one, raised
// (PromptTokenRatio), so that the next prompt fits.
func promptCut(in *db.Interaction, p *planned) string {
	if in == nil || p == nil || p.window <= 0 || in.PromptTokens < p.window {
		return ""
	}
	return fmt.Sprintf("%s counted %d prompt tokens, its whole %d-token window: the server most likely cut the prompt, and the answer may miss what was cut; the next prompts to it are fitted smaller",
		in.Model, in.PromptTokens, p.window)
}

// answerWarning is Answer.Warning: the prompt most likely cut, then the
// index incomplete when bc, the code sent (nil for none), came from an
// index of the project at root that no run over the whole project has
// finished. context says the latter as a warning beside its table; an
// answer says it too, as what it was given may lack what the question
// is about.
func answerWarning(in *db.Interaction, p *planned, bc *BuiltContext, root string) string {
	var ws []string
	if w := promptCut(in, p); w != "" {
		ws = append(ws, w)
	}
	if bc != nil && bc.Context != nil && bc.Incomplete {
		ws = append(ws, ctxbuild.IncompleteWarning(root))
	}
	if bc != nil && bc.Context != nil && bc.OtherVersion {
		ws = append(ws, ctxbuild.OtherVersionWarning(root))
	}
	if bc != nil && bc.Context != nil && bc.EmbedError != "" {
		ws = append(ws, search.EmbedWarning(bc.EmbedError))
	}
	return strings.Join(ws, "\n")
}
