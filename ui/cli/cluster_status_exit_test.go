package cli

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// TestClusterStatusProblem: cluster status exits 1, with one line saying
// why and what to do, when this node knows no leader (no quorum), was
// removed, or runs apart from its recovered cluster; 0 when it follows a
// leader.
func TestClusterStatusProblem(t *testing.T) {
	up := db.Member{ID: "a", Self: true, Voter: true, Reachable: true}
	down := db.Member{ID: "b", Voter: true}
	cases := []struct {
		name  string
		store db.Status
		want  string // "" for exit 0
	}{
		{"leader", db.Status{State: "Follower", Leader: "b"}, ""},
		{"no leader", db.Status{State: "Candidate"}, "no quorum: 1 of 2 nodes reachable"},
		{"removed", db.Status{State: "Follower", Removed: true}, "removed"},
		{"dropped", db.Status{State: "Leader", Leader: "a", Dropped: "dropped by the recovery of node z"}, "dropped by the recovery of node z"},
	}
	for _, tc := range cases {
		err := statusProblem(&node.ClusterStatus{Store: tc.store, Members: []db.Member{up, down}})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v; want exit 0", tc.name, err)
		case tc.want == "":
		case err == nil:
			t.Errorf("%s: no error; want exit 1 saying %q", tc.name, tc.want)
		default:
			ue := usererr.As(err)
			if ue == nil || ue.ExitCode() != 1 || !strings.Contains(ue.Msg, tc.want) || strings.Contains(ue.Msg, "\n") {
				t.Errorf("%s: %v; want a one-line user error, exit 1, saying %q", tc.name, err, tc.want)
			}
		}
	}
}
