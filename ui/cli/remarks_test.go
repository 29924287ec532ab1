package cli

import (
	"strings"
	"testing"
)

// TestPrintRemarks: the model's remarks go on one line of stderr; ones
// longer than the prompts ask for are cut at a word, saying where the
// whole answer is; none, no line.
func TestPrintRemarks(t *testing.T) {
	long := strings.Repeat("This design keeps the cache small. ", 30)
	for _, tc := range []struct {
		name, remarks, want string
	}{
		{"short", "It keeps entries in a map.\n\n- No lock:\n  the caller owns it.\n",
			"the model adds: It keeps entries in a map. - No lock: the caller owns it.\n"},
		{"long", long, "the model adds: " + strings.TrimSpace(long[:strings.LastIndexByte(long[:maxRemarks], ' ')]) + "… (all of it: aiex session show S1)\n"},
		{"none", "  \n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errb strings.Builder
			printRemarks(&Context{Out: &Output{Err: &errb}}, tc.remarks, "S1")
			if errb.String() != tc.want {
				t.Errorf("stderr\n%q\nwant\n%q", errb.String(), tc.want)
			}
		})
	}
}
