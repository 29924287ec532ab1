package cli

import (
	"errors"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// TestCheckStream: a --stream that can match none of the app's streams is
// a usage error; names, families and prefixes of them pass.
func TestCheckStream(t *testing.T) {
	for s, ok := range map[string]bool{
		"llm": true, "audit": true, "session/abc": true, "checkpoint/1234": true,
		"*": true, "session/*": true, "session*": true, "s*": true, "session/ab*": true, "checkpoint/*": true, "ll*": true,
		"bogus": false, "lmm": false, "session/": false, "session": false, "llm/x": false, "bogus/*": false,
		"": false, "ses*ion": false, "*llm": false, "audits": false, "checkpoint": false,
	} {
		err := checkStream(s)
		if (err == nil) != ok {
			t.Errorf("checkStream(%q) = %v, want ok %v", s, err, ok)
		}
		var ue *usererr.Error
		if err != nil && (!errors.As(err, &ue) || ue.Code != usererr.ExitUsage) {
			t.Errorf("checkStream(%q): %v is not a usage error", s, err)
		}
	}
}
