package cli

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/db"
)

// TestVersionsWarning: members on different versions of aiex are named
// by version; one version, or a former node (not a member) on another,
// says nothing.
func TestVersionsWarning(t *testing.T) {
	st := &node.ClusterStatus{
		Members: []db.Member{{ID: "a"}, {ID: "b"}, {ID: "c"}},
		Nodes: []db.Node{{ID: "a", Name: "ann", Version: "v2"}, {ID: "b", Name: "bob", Version: "v1"},
			{ID: "c", Name: "cy", Version: "v2"}, {ID: "gone", Name: "old", Version: "v0"}},
	}
	w := versionsWarning(st)
	if !strings.Contains(w, "v1 on bob; v2 on ann, cy") || strings.Contains(w, "v0") || strings.Contains(w, "\n") {
		t.Errorf("warning = %q; want v1 on bob; v2 on ann, cy, in one line", w)
	}
	st.Nodes[1].Version = "v2"
	if w := versionsWarning(st); w != "" {
		t.Errorf("one version among members: warning %q", w)
	}
}
