package mesh_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// TestTailnet brings up three nodes of one user on an offline tailnet;
// alpha and bravo serve their mesh listeners directly, charlie runs rqlite's
// mux on its listener.
func TestTailnet(t *testing.T) {
	start := time.Now()
	tn := meshtest.NewTailnet(t, meshtest.Options{SameUser: true})
	alpha := tn.Node(t, mesh.TailnetConfig{Hostname: "alpha"})
	bravo := tn.Node(t, mesh.TailnetConfig{Hostname: "bravo"})
	charlie := tn.Node(t, mesh.TailnetConfig{Hostname: "charlie"})
	t.Logf("control and 3 nodes up in %v", time.Since(start))

	login := alpha.Self().Login
	if login == "" || bravo.Self().Login != login {
		t.Fatalf("logins %q %q: want one user", login, bravo.Self().Login)
	}
	for _, n := range []*mesh.Tailnet{alpha, bravo, charlie} {
		ap, err := netip.ParseAddrPort(n.Addr())
		if err != nil || !ap.Addr().Is4() || ap.Port() != mesh.DefaultPort {
			t.Errorf("%s: Addr %q is not tailnet IPv4:DefaultPort", n.Self().Node, n.Addr())
		}
	}

	startEcho(t, "alpha", alpha, listen(t, alpha))
	startEcho(t, "bravo", bravo, listen(t, bravo))
	nodes := map[string]*mesh.Tailnet{"alpha": alpha, "bravo": bravo}
	for from, ft := range map[string]*mesh.Tailnet{"alpha": alpha, "bravo": bravo, "charlie": charlie} {
		for to, tt := range nodes {
			if from == to {
				continue
			}
			c := dial(t, ft, tt.Addr())
			want := to + "|" + from + "|" + login + "|hello"
			if got := roundTrip(t, c, "hello"); got != want {
				t.Errorf("%s -> %s: got %q, want %q", from, to, got, want)
			}
			p, err := ft.WhoIs(context.Background(), c.RemoteAddr().String())
			if err != nil {
				t.Fatal(err)
			}
			if p.Node != to || p.Login != login || p.Addr != tt.Addr() || p.StableID == "" {
				t.Errorf("%s WhoIs(%s) = %+v", from, to, p)
			}
		}
	}

	t.Run("mux", func(t *testing.T) {
		testMux(t, charlie, alpha, "alpha|"+login+"|")
	})
}

// TestTailnetPolicy gives nodes different users and tags and checks who
// gets through whose listener and dialer.
func TestTailnetPolicy(t *testing.T) {
	tn := meshtest.NewTailnet(t, meshtest.Options{Tags: []string{"tag:aiex", "tag:ci"}})
	aiex := mesh.Policy{AllowTags: []string{"tag:aiex"}}
	rfCharlie := newRefusals()
	bravo := tn.Node(t, mesh.TailnetConfig{Hostname: "bravo", Policy: aiex})                                                // user B
	charlie := tn.Node(t, mesh.TailnetConfig{Hostname: "charlie", Tags: []string{"tag:aiex"}, OnRefused: rfCharlie.record}) // default: tag:aiex
	delta := tn.Node(t, mesh.TailnetConfig{Hostname: "delta", Tags: []string{"tag:ci"}})                                    // default: tag:ci
	erin := tn.Node(t, mesh.TailnetConfig{Hostname: "erin", Policy: aiex})                                                  // user E
	rfAlpha := newRefusals()
	alpha := tn.Node(t, mesh.TailnetConfig{
		Hostname:  "alpha",
		Tags:      []string{"tag:aiex"},
		Policy:    mesh.Policy{AllowUsers: []string{bravo.Self().Login}, AllowTags: []string{"tag:aiex"}},
		OnRefused: rfAlpha.record,
	})
	if bravo.Self().Login == erin.Self().Login || bravo.Self().Login == "" {
		t.Fatalf("bravo and erin should be different users: %+v %+v", bravo.Self(), erin.Self())
	}
	if alpha.Self().Login != "" || len(alpha.Self().Tags) != 1 {
		t.Fatalf("alpha should be tagged, with no login: %+v", alpha.Self())
	}
	startEcho(t, "alpha", alpha, listen(t, alpha))
	startEcho(t, "charlie", charlie, listen(t, charlie))
	startEcho(t, "delta", delta, listen(t, delta))

	// Allowed by alpha: bravo by user, charlie by tag.
	if got := roundTrip(t, dial(t, bravo, alpha.Addr()), "hi"); got != "alpha|bravo|"+bravo.Self().Login+"|hi" {
		t.Errorf("bravo -> alpha: %q", got)
	}
	if got := roundTrip(t, dial(t, charlie, alpha.Addr()), "hi"); got != "alpha|charlie||hi" {
		t.Errorf("charlie -> alpha: %q", got)
	}
	if got := roundTrip(t, dial(t, alpha, charlie.Addr()), "hi"); got != "charlie|alpha||hi" {
		t.Errorf("alpha -> charlie: %q", got)
	}
	rfAlpha.none(t)

	// erin's own policy lets it dial alpha; alpha refuses erin's user.
	c := dial(t, erin, alpha.Addr())
	c.Write([]byte("hi\n"))
	expectClosed(t, c)
	r, _ := rfAlpha.wait(t, `user "`+erin.Self().Login+`"`)
	if !errors.Is(r.reason, mesh.ErrNotAllowed) || !strings.HasPrefix(r.addr, strings.Split(erin.Addr(), ":")[0]+":") {
		t.Errorf("refusal %v of %s: want ErrNotAllowed from erin", r.reason, r.addr)
	}

	// charlie's default policy (its own tag) refuses erin's user too.
	c = dial(t, erin, charlie.Addr())
	expectClosed(t, c)
	rfCharlie.wait(t, `user "`+erin.Self().Login+`"`)

	// delta's default policy (tag:ci) will not dial alpha; and alpha
	// refuses delta's tag, reporting the connection delta opened.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c, err := delta.Dial(ctx, alpha.Addr()); !errors.Is(err, mesh.ErrNotAllowed) {
		if c != nil {
			c.Close()
		}
		t.Errorf("delta dialed alpha: %v", err)
	}
	rfAlpha.wait(t, "tags [tag:ci]")
	// Nor will alpha dial delta.
	if c, err := alpha.Dial(ctx, delta.Addr()); !errors.Is(err, mesh.ErrNotAllowed) {
		if c != nil {
			c.Close()
		}
		t.Errorf("alpha dialed delta: %v", err)
	}
}

func TestTailnetConfigErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		cfg  mesh.TailnetConfig
		want string
	}{
		{"no dir", mesh.TailnetConfig{Hostname: "x"}, "no state dir"},
		{"bad tag", mesh.TailnetConfig{Hostname: "x", Dir: t.TempDir(), Tags: []string{"aiex"}}, "bad tag"},
		{"bad policy tag", mesh.TailnetConfig{Hostname: "x", Dir: t.TempDir(), Policy: mesh.Policy{AllowTags: []string{"ci"}}}, "bad tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := mesh.NewTailnet(ctx, tc.cfg)
			if err == nil {
				tr.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// TestTailnetCloseAfterManyConns guards the workaround for tsnet's shutdown
// deadlock (see netstack.go): a node that opened and closed more
// connections than netstack's 512-packet queue still closes.
func TestTailnetCloseAfterManyConns(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 600 connections and waits out TIME_WAIT")
	}
	tn := meshtest.NewTailnet(t, meshtest.Options{SameUser: true})
	server := tn.Node(t, mesh.TailnetConfig{Hostname: "server"})
	client := tn.Node(t, mesh.TailnetConfig{Hostname: "client"})
	startEcho(t, "srv", server, listen(t, server))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for range 600 {
		c, err := client.Dial(ctx, server.Addr())
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	start := time.Now()
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Close after 600 connections took %v", time.Since(start))
}
