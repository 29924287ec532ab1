package mesh

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPolicyCheck(t *testing.T) {
	alice := Peer{Node: "a", Login: "alice@example.com"}
	bob := Peer{Node: "b", Login: "bob@example.com"}
	server := Peer{Node: "s", Login: "alice@example.com", Tags: []string{"tag:server"}} // tagged: not alice's
	ci := Peer{Node: "c", Tags: []string{"tag:ci", "tag:build"}}
	anon := Peer{Node: "x"}
	tests := []struct {
		name   string
		policy Policy
		peer   Peer
		want   string // "" = allowed, else part of the reason
	}{
		{"user allowed", Policy{AllowUsers: []string{"alice@example.com"}}, alice, ""},
		{"user case-insensitive", Policy{AllowUsers: []string{"Alice@Example.com"}}, alice, ""},
		{"other user", Policy{AllowUsers: []string{"alice@example.com"}}, bob, `user "bob@example.com"`},
		{"tagged node is not its creator", Policy{AllowUsers: []string{"alice@example.com"}}, server, "tagged [tag:server] and only users"},
		{"tag allowed", Policy{AllowTags: []string{"tag:server"}}, server, ""},
		{"any tag matches", Policy{AllowTags: []string{"tag:build"}}, ci, ""},
		{"tag refused", Policy{AllowTags: []string{"tag:server"}}, ci, "tags [tag:ci tag:build]"},
		{"user not a tag", Policy{AllowTags: []string{"tag:server"}}, alice, `user "alice@example.com" and only tags [tag:server]`},
		{"both lists", Policy{AllowUsers: []string{"bob@example.com"}, AllowTags: []string{"tag:ci"}}, bob, ""},
		{"no identity", Policy{AllowUsers: []string{""}}, anon, "neither a user login nor tags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.check(tt.peer)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Error("allowed")
			case tt.want != "" && (!errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("reason %q: want ErrNotAllowed mentioning %q", err, tt.want)
			}
		})
	}
}

func TestIssuerRenews(t *testing.T) {
	k, _ := GenerateKey()
	ca, err := deriveCA(k)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	is := &issuer{ca: ca, self: Peer{Node: "n1", Tags: []string{"tag:x"}, Addr: "10.0.0.1:7420"}, now: func() time.Time { return now }}
	a, err := is.get()
	if err != nil {
		t.Fatal(err)
	}
	p, err := peerFromCert(a.Leaf)
	if err != nil || p.Node != "n1" || p.Addr != "10.0.0.1:7420" || len(p.Tags) != 1 {
		t.Fatalf("leaf identity %+v, %v", p, err)
	}
	if b, _ := is.get(); b != a {
		t.Error("renewed a fresh certificate")
	}
	now = now.Add(leafLifetime/2 + time.Minute)
	b, _ := is.get()
	if b == a {
		t.Fatal("did not renew a certificate past half its life")
	}
	if !b.Leaf.NotAfter.After(a.Leaf.NotAfter) {
		t.Error("renewed certificate does not last longer")
	}
}
