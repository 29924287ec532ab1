package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/posener/complete"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
)

// CompletionCmd prints a shell completion script. The scripts ask aiex
// itself for completions (the shell sets COMP_LINE and runs it), so they
// stay true as commands change.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"Shell: bash, zsh or fish."`
}

// Run prints the script for the chosen shell.
func (cc *CompletionCmd) Run(c *Context) error {
	if c.Out.JSON {
		return usererr.Usage("aiex completion prints a shell script, not JSON: leave out --json")
	}
	bin, err := os.Executable()
	if err != nil {
		bin = "aiex"
	} else if abs, err := filepath.Abs(bin); err == nil {
		bin = abs
	}
	bin = shellQuote(bin)
	var script string
	switch cc.Shell {
	// Where aiex has nothing to offer (a TARGET that is a path, a
	// word no command starts with), the shell completes file names:
	// -o default for bash, a fallback in the function for zsh and fish.
	// Bash inserts what aiex offers as it is unless told the words are
	// file names (-o filenames): then it quotes them, so that
	// "sp ace/a b.go" stays one word; commands, flags and their values
	// have nothing to quote.
	case "bash":
		script = fmt.Sprintf("# aiex completion for bash: source <(aiex completion bash)\ncomplete -o default -o filenames -C %s aiex\n", bin)
	case "zsh":
		script = fmt.Sprintf(zshScript, bin)
	case "fish":
		script = fmt.Sprintf(`# aiex completion for fish: aiex completion fish | source
function __complete_aiex
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    set -l words (%s)
    if set -q words[1]
        printf '%%s\n' $words
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -f -c aiex -a "(__complete_aiex)"
`, bin)
	}
	_, err = fmt.Fprint(c.Out.Out, script)
	return err
}

// zshScript is zsh's completion function; %s is the binary. It is a
// function of its own rather than bash's "complete -C" run through zsh's
// bashcompinit, which splits what the command prints at white space:
// "sp ace/a b.go" would come back as three words, and the first be
// inserted alone. Here aiex's answer is split at newlines only, and
// compadd quotes each candidate as the word being completed needs
// (sp\ ace/a\ b.go, or inside the quotes the user opened). A directory
// gets no space after it, so that completion can go on into it. The
// line aiex is asked about is the words before the cursor as typed, as
// bash passes it; COMP_POINT counts bytes, as aiex reads it.
const zshScript = `# aiex completion for zsh: source <(aiex completion zsh), after compinit
_aiex() {
  local line="${(j: :)words[1,CURRENT-1]} $PREFIX" point ret=1
  local -a matches dirs
  () { setopt localoptions nomultibyte; point=${#line} }
  matches=( ${(f)"$(COMP_LINE=$line COMP_POINT=$point %s 2>/dev/null)"} )
  dirs=( ${(M)matches:#*/} )
  matches=( ${matches:#*/} )
  compadd -S '' -a dirs && ret=0
  compadd -a matches && ret=0
  (( ret )) && _default && ret=0
  return ret
}
compdef _aiex aiex
`

// completionPredictors complete the values of arguments and flags by
// their predictor tag: file and dir for paths, strategy for the routing
// strategies and sandbox for the confinement modes (plain string flags,
// as "" means the configured one).
func completionPredictors() map[string]complete.Predictor {
	return map[string]complete.Predictor{
		"file":     complete.PredictFiles("*"),
		"dir":      complete.PredictDirs("*"),
		"strategy": complete.PredictSet(string(coord.LocalAffinity), string(coord.LoadBalanced), string(coord.RoundRobin)),
		"sandbox":  complete.PredictSet("auto", "strict", "off"),
	}
}

func shellQuote(s string) string {
	if !strings.ContainsAny(s, " \t'\"$`\\") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
