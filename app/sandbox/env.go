package sandbox

import (
	"regexp"
	"slices"
	"strings"
)

// A command's default environment is this process's without what looks
// like a credential: generated code run in the sandbox has no business
// with the user's keys, and what it prints ends up in check output and
// prompts. Names are matched by their parts (split at "_"), so that PATH
// is not a personal access token and MONKEY_PATCH not a key; values by
// the one shape a secret commonly hides in under an innocent name, a URL
// with a password (DATABASE_URL=postgres://u:pw@host/db, a GOPROXY
// entry). A variable no rule catches (a key kept as COMPANY_LLM) is named
// by the caller: Options.HideEnv.

// secretWords are name fragments that mark a credential wherever they
// appear in a name.
var secretWords = []string{"TOKEN", "SECRET", "PASS", "CREDENTIAL", "AUTH", "PRIVATE", "COOKIE", "SESSION"}

// secretParts are name parts (between underscores) that mark one: an API
// key, a personal access token (GH_PAT).
var secretParts = []string{"KEY", "KEYS", "PAT"}

// keptNames are variables the rules would catch but that hold no secret
// and that the go command needs to treat private modules as private.
var keptNames = []string{"GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GONOSUMCHECK", "GOINSECURE"}

// urlWithPassword finds scheme://user:password@ anywhere in a value.
var urlWithPassword = regexp.MustCompile(`(?i)[a-z][a-z0-9+.-]*://[^/?#@\s]*:[^/?#@\s]*@`)

// secretName says whether a variable's name marks a credential or an
// aiex setting (AIEX_*).
func secretName(name string) bool {
	u := strings.ToUpper(name)
	if slices.Contains(keptNames, u) {
		return false
	}
	if strings.HasPrefix(u, "AIEX_") || strings.HasSuffix(u, "KEY") {
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(u, w) {
			return true
		}
	}
	for part := range strings.SplitSeq(u, "_") {
		if slices.Contains(secretParts, part) {
			return true
		}
	}
	return false
}

// scrubEnv drops from env the variables that look like credentials (by
// name or value), aiex's own settings, and those named in hide.
func scrubEnv(env, hide []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		if secretName(name) || slices.Contains(hide, name) || urlWithPassword.MatchString(value) {
			continue
		}
		out = append(out, kv)
	}
	return out
}
