package sandbox

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/providers"
)

// A command's default environment is this process's without what looks
// like a credential: generated code run in the sandbox has no business
// with the user's keys, and what it prints ends up in check output and
// prompts. Names are matched by their parts (split at "_"), so that PATH
// is not a personal access token and MONKEY_PATCH not a key; values by
// the shapes a secret commonly hides in under an innocent name, a URL
// with a password (DATABASE_URL=postgres://u:pw@host/db, a GOPROXY
// entry) or with a value in its query (OPENAI_BASE_URL=https://gw/v1?key=…,
// a signed URL's sig=). A variable no rule catches (a key kept as
// COMPANY_LLM) is named by the caller: Options.HideEnv.

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

// urlInValue finds each URL in a value (a list of them too, as GOPROXY
// has, split at commas and pipes).
var urlInValue = regexp.MustCompile(`(?i)[a-z][a-z0-9+.-]*://[^\s,|"'<>]+`)

// queryCredential says whether value holds a URL with a value in its
// query. Which query values are credentials is what aiex's redaction of
// provider URLs says (providers.URLSecrets: every one, as gateways take
// keys by any name — key, api_key, token, sig, code), so that a base URL
// kept out of messages is kept out of commands too; the URL's user is
// left to urlWithPassword, which keeps a user without a password. A URL
// that does not parse but has a query is taken for one that has: the
// program reading it may parse it more leniently. The variable is dropped
// whole rather than its query cut off: a URL without its key is of no
// use to the command (which has no network anyway), and a value cut
// where this parser thinks the query starts could keep part of a key
// another parser reads differently. Values in the fragment
// (#access_token=…, as OAuth's implicit flow gives them) and path
// parameters (;key=…) count too.
func queryCredential(value string) bool {
	if !strings.ContainsAny(value, "?#;") {
		return false
	}
	for _, s := range urlInValue.FindAllString(value, -1) {
		u, err := url.Parse(s)
		if err != nil {
			if strings.ContainsAny(s, "?#;") {
				return true
			}
			continue
		}
		if strings.Contains(u.Fragment, "=") || strings.Contains(u.Path, ";") && strings.Contains(u.Path, "=") {
			return true
		}
		u.User = nil
		for _, v := range providers.URLSecrets(u) {
			if v != "" {
				return true
			}
		}
	}
	return false
}

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
		if secretName(name) || slices.Contains(hide, name) || urlWithPassword.MatchString(value) || queryCredential(value) {
			continue
		}
		out = append(out, kv)
	}
	return out
}
