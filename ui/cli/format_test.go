package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/index"
)

// TestIndexSummaryCounts: the summary line counts in English, one
// warning or many.
func TestIndexSummaryCounts(t *testing.T) {
	for _, tt := range []struct {
		warnings int
		want     string
	}{{1, ", 1 warning."}, {2, ", 2 warnings."}} {
		var out strings.Builder
		s := &index.Summary{Root: "/p", Files: 1, Changed: 1}
		for range tt.warnings {
			s.Warnings = append(s.Warnings, index.Warning{Path: "a.ex", Message: "line 1: syntax error"})
		}
		if err := printIndexSummary(&Output{Out: &out}, s); err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(out.String(), "\n"); !strings.HasSuffix(first, tt.want) {
			t.Errorf("%d warnings: %q", tt.warnings, first)
		}
	}
}

// TestIndexSummaryUnder: a run narrowed to a part of the project names
// the part, whose files it counts, not the project alone.
func TestIndexSummaryUnder(t *testing.T) {
	var out strings.Builder
	if err := printIndexSummary(&Output{Out: &out}, &index.Summary{Root: "/p", Under: "apps/core/lib", Files: 3}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Indexed apps/core/lib of /p in 0.00s: 3 files,") {
		t.Errorf("summary %q", out.String())
	}
}

// TestAgo: heartbeat ages read as English, a clock ahead of this one's
// included.
func TestAgo(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-3 * time.Second: "just now", 0: "just now", 1500 * time.Millisecond: "2s ago", 90 * time.Second: "1m30s ago",
	} {
		if got := ago(d); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestJSONEscapesC1: --json output carries C1 control characters as
// escapes (encoding/json leaves them raw), and decodes to the same text.
func TestJSONEscapesC1(t *testing.T) {
	v := map[string]string{"answer": "a\u009b2Jb\u0085c é ü"}
	for name, print := range map[string]func(*Output, any) error{"PrintJSON": (*Output).PrintJSON, "PrintJSONLine": (*Output).PrintJSONLine} {
		var out strings.Builder
		if err := print(&Output{Out: &out}, v); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(out.String(), "\u009b\u0085") || !strings.Contains(out.String(), `\u009b`) {
			t.Errorf("%s: %q", name, out.String())
		}
		var back map[string]string
		if err := json.Unmarshal([]byte(out.String()), &back); err != nil || back["answer"] != v["answer"] {
			t.Errorf("%s: decodes to %q (%v)", name, back["answer"], err)
		}
	}
}
