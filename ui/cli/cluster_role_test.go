package cli

import (
	"testing"

	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/db"
)

// TestMemberRole: ROLE says only what this node knows. Its own role is its
// Raft state (a candidate during an election, not "follower"); a node that
// does not answer, or any node but a known leader while no leader is
// known (this node removed, or in an election), is "?"; a reachable node
// follows the leader this node knows.
func TestMemberRole(t *testing.T) {
	self := db.Member{ID: "a", Self: true, Voter: true, Reachable: true}
	up := db.Member{ID: "b", Voter: true, Reachable: true}
	down := db.Member{ID: "c", Voter: true}
	lead := db.Member{ID: "d", Voter: true, Reachable: true, Leader: true}
	learner := db.Member{ID: "e", Reachable: true}
	cases := []struct {
		name  string
		store db.Status
		want  []string // self, up, down, lead, learner
	}{
		{"leader known", db.Status{State: "Follower", Leader: "d"}, []string{"follower", "follower", "?", "leader", "non-voter"}},
		{"election", db.Status{State: "Candidate"}, []string{"candidate", "?", "?", "leader", "?"}},
		{"removed", db.Status{State: "Follower", Removed: true}, []string{"follower", "?", "?", "leader", "?"}},
	}
	for _, tc := range cases {
		cs := &node.ClusterStatus{Store: tc.store, Members: []db.Member{self, up, down, lead, learner}}
		for i, want := range tc.want {
			if got := memberRole(cs, i); got != want {
				t.Errorf("%s: ROLE of %s = %q; want %q", tc.name, cs.Members[i].ID, got, want)
			}
		}
	}
}
