package checkpoint

import (
	"strings"
	"testing"
)

func TestValidTag(t *testing.T) {
	for _, tc := range []struct {
		tag  string
		want string // "" when valid, else a part of the error
	}{
		{"v1", ""},
		{"release-1.0_rc", ""},
		{"Z", ""},
		{"9lives", ""},
		{strings.Repeat("x", 64), ""},
		{"", "use letters"},
		{strings.Repeat("x", 65), "use letters"},
		{".hidden", "use letters"},
		{"-x", "use letters"},
		{"_x", "use letters"},
		{"two words", "use letters"},
		{"naïve", "use letters"},
		{"a/b", "use letters"},
		{"deadbeef", "looks like a checkpoint id"},
		{"9F4A", "looks like a checkpoint id"},
		{"0", "looks like a checkpoint id"},
		{"last", "newest checkpoint"},
		{"DEADBEEF", "looks like a checkpoint id"}, // 9F4A and 9f4a would name different checkpoints
	} {
		err := CheckTag(tc.tag)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckTag(%q) = %v, want nil", tc.tag, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckTag(%q) = %v, want an error saying %q", tc.tag, err, tc.want)
		}
	}
}

func TestValidHash(t *testing.T) {
	h := strings.Repeat("0123456789abcdef", 4)
	for _, tc := range []struct {
		h    string
		want bool
	}{
		{h, true},
		{h[1:], false},
		{h + "0", false},
		{strings.ToUpper(h), false},
		{h[:63] + "g", false},
		{"", false},
	} {
		if got := validHash(tc.h); got != tc.want {
			t.Errorf("validHash(%q) = %v, want %v", tc.h, got, tc.want)
		}
	}
}
