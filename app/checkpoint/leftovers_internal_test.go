package checkpoint

import (
	"strings"
	"testing"
)

// TestIsTempOf: the temporary files of both FSs' writes are told by name,
// the sandbox's with a name cut short to fit NAME_MAX too; other files,
// and other files' temporary files, are not.
func TestIsTempOf(t *testing.T) {
	long := strings.Repeat("n", 250) + ".go"
	cut := ".aiex-" + long[:255-len(".aiex-")-len("-0123456789abcdef.tmp")] + "-0123456789abcdef.tmp"
	for _, tc := range []struct {
		entry, name string
		want        bool
	}{
		{".aiex-f21.txt-0123456789abcdef.tmp", "f21.txt", true},
		{".f21.txt.aiex-0123456789ab", "f21.txt", true},
		{cut, long, true},
		{".aiex-f2.txt-0123456789abcdef.tmp", "f21.txt", false},
		{".aiex-f21.txt-0123456789abcdef.tmp", "f2.txt", false},
		{".aiex-f21.txt-0123456789ABCDEF.tmp", "f21.txt", false},
		{".aiex-f21.txt-0123.tmp", "f21.txt", false},
		{".aiex-f21.txt-0123456789abcdef", "f21.txt", false},
		{".f21.txt.aiex-0123456789", "f21.txt", false},
		{"f21.txt", "f21.txt", false},
		{".aiex-" + long[:100] + "-0123456789abcdef.tmp", long, false}, // cut, but not to NAME_MAX
	} {
		if got := isTempOf(tc.entry, tc.name); got != tc.want {
			t.Errorf("isTempOf(%q, %q) = %v; want %v", tc.entry, tc.name, got, tc.want)
		}
	}
}
