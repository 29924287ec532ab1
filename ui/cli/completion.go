package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/posener/complete"
	"github.com/willabides/kongplete"

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
	case "bash":
		script = fmt.Sprintf(bashScript, bin)
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

// bashScript is bash's completion function; %s is the binary. Bash
// inserts what aiex offers as it is unless told the words are file names
// (-o filenames): then it quotes them, so that "sp ace/a b.go" stays one
// word, and adds no space after a directory. But it then takes every
// word for a file name: a command offered where a directory of that name
// is (search/ in a Go package, list/) would be inserted as that
// directory, "search/". So the script is a function rather than
// "complete -C": it asks aiex to say first whether what it offers are
// paths (completeKindEnv), and turns -o filenames on for those only.
// The line and cursor are passed as bash gives them to a -C command.
// With -o filenames bash also adds the slash after a directory itself,
// as for cat's file names: aiex offers directories to it without one
// (bashPathPredictor), or bash would show and insert "list//".
const bashScript = `# aiex completion for bash: source <(aiex completion bash)
_aiex() {
  local kind line
  COMPREPLY=()
  {
    IFS= read -r kind
    while IFS= read -r line; do COMPREPLY+=("$line"); done
  } < <(COMP_LINE=$COMP_LINE COMP_POINT=$COMP_POINT ` + completeKindEnv + `=1 %s 2>/dev/null)
  if [[ $kind == files ]]; then
    compopt -o filenames 2>/dev/null
  fi
  return 0
}
complete -o default -F _aiex aiex
`

// completeKindEnv, set, asks aiex for a line saying what kind of words
// it offers, before them: "files" when they include paths (the file and
// dir predictors'), else "words" (commands, flags, their values).
const completeKindEnv = "AIEX_COMPLETE_KIND"

// completeLine prints the completions of the line in COMP_LINE, as
// kongplete does, and exits through parser.Exit. With completeKindEnv
// set, the kind of words line comes first (see bashScript).
func completeLine(parser *kong.Kong, getenv func(string) string) {
	paths := map[string]bool{}
	if getenv(completeKindEnv) == "" {
		kongplete.Complete(parser, kongplete.WithPredictors(completionPredictors(paths, false)))
		return
	}
	// Only the bash script asks for the kind: the paths are offered as
	// its -o filenames wants them.
	preds := completionPredictors(paths, true)
	// The kind is known once the words are: they are held until then.
	out := parser.Stdout
	var words bytes.Buffer
	parser.Stdout = &words
	defer func() { parser.Stdout = out }()
	kongplete.Complete(parser, kongplete.WithPredictors(preds), kongplete.WithExitFunc(func(code int) {
		kind := "words"
		for w := range strings.Lines(words.String()) {
			if paths[strings.TrimSuffix(w, "\n")] {
				kind = "files"
				break
			}
		}
		fmt.Fprintln(out, kind)
		out.Write(words.Bytes())
		parser.Exit(code)
	}))
}

// pathPredictor is a predictor of paths that notes the paths it offers.
type pathPredictor struct {
	complete.Predictor
	offered map[string]bool
}

// Predict offers the predictor's paths but "./", the current directory
// the file predictors add to any list, unless the word typed starts as
// it does: it is rarely what is meant, and crowds every listing.
func (p pathPredictor) Predict(a complete.Args) []string {
	var words []string
	for _, w := range p.Predictor.Predict(a) {
		if w == "./" && !strings.HasPrefix(a.Last, ".") {
			continue
		}
		words = append(words, w)
		p.offered[w] = true
	}
	return words
}

// bashPathPredictor offers the paths in the directory of the word typed
// that start as its last part does, as bash's own file name completion
// does: a directory without a slash after it (bash adds one, and no space
// after it, for a word it takes for a file name); no directory descended
// into (a lone directory is completed to "dir/", and the next Tab lists
// it); names starting with a dot, "." and ".." only when the part typed
// starts with one. The file predictors of the completion library end
// directories with a slash and offer "./" and the directory itself, which
// bash shows doubled: "list//", ".//".
type bashPathPredictor struct {
	dirsOnly bool
}

func (p bashPathPredictor) Predict(a complete.Args) []string {
	dir, part := "", a.Last
	if i := strings.LastIndexByte(a.Last, '/'); i >= 0 {
		dir, part = a.Last[:i+1], a.Last[i+1:]
	}
	read := dir
	if read == "" {
		read = "."
	}
	entries, err := os.ReadDir(read)
	if err != nil {
		return nil // bash completes file names itself (-o default)
	}
	var words []string
	hidden := strings.HasPrefix(part, ".")
	if hidden {
		for _, name := range []string{".", ".."} {
			if strings.HasPrefix(name, part) {
				words = append(words, dir+name)
			}
		}
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, part) || (strings.HasPrefix(name, ".") && !hidden) {
			continue
		}
		if p.dirsOnly {
			// Stat, not the entry's type: a link to a directory is one.
			if fi, err := os.Stat(filepath.Join(read, name)); err != nil || !fi.IsDir() {
				continue
			}
		}
		words = append(words, dir+name)
	}
	return words
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
// strategies, sandbox for the confinement modes and format for session
// export's formats (plain string flags, as "" means the configured one,
// or the file's). The paths offered are noted in paths; forBash, they
// are offered as bash's -o filenames wants them (bashPathPredictor).
func completionPredictors(paths map[string]bool, forBash bool) map[string]complete.Predictor {
	file, dir := complete.PredictFiles("*"), complete.PredictDirs("*")
	if forBash {
		file, dir = bashPathPredictor{}, bashPathPredictor{dirsOnly: true}
	}
	return map[string]complete.Predictor{
		"file":     pathPredictor{file, paths},
		"dir":      pathPredictor{dir, paths},
		"strategy": complete.PredictSet(string(coord.LocalAffinity), string(coord.LoadBalanced), string(coord.RoundRobin)),
		"sandbox":  complete.PredictSet("auto", "strict", "off"),
		"format":   complete.PredictSet("markdown", "json"),
	}
}

func shellQuote(s string) string {
	if !strings.ContainsAny(s, " \t'\"$`\\") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
