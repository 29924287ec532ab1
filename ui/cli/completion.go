package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CompletionCmd prints a shell completion script. The scripts ask aiex
// itself for completions (the shell sets COMP_LINE and runs it), so they
// stay true as commands change.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"Shell: bash, zsh or fish."`
}

// Run prints the script for the chosen shell.
func (cc *CompletionCmd) Run(c *Context) error {
	bin, err := os.Executable()
	if err != nil {
		bin = "aiex"
	} else if abs, err := filepath.Abs(bin); err == nil {
		bin = abs
	}
	bin = shellQuote(bin)
	var script string
	switch cc.Shell {
	case "bash":
		script = fmt.Sprintf("# aiex completion for bash: source <(aiex completion bash)\ncomplete -C %s aiex\n", bin)
	case "zsh":
		script = fmt.Sprintf("# aiex completion for zsh: source <(aiex completion zsh)\nautoload -U +X bashcompinit && bashcompinit\ncomplete -C %s aiex\n", bin)
	case "fish":
		script = fmt.Sprintf(`# aiex completion for fish: aiex completion fish | source
function __complete_aiex
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    %s
end
complete -f -c aiex -a "(__complete_aiex)"
`, bin)
	}
	_, err = fmt.Fprint(c.Out.Out, script)
	return err
}

func shellQuote(s string) string {
	if !strings.ContainsAny(s, " \t'\"$`\\") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
