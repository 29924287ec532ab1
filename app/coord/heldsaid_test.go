package coord_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestHeldSilentServerSaysSkipped: a server that took a request's listing
// and never answered is passed over by the requests after, in a new
// process too, without being asked again; those say that it was skipped
// for not answering before and when it is tried again, not "did not
// answer within 50ms; is it running?" as if it had just been asked.
func TestHeldSilentServerSaysSkipped(t *testing.T) {
	hung := silent{pt.NewScripted("local", "ollama", ok("never"))}
	tl := target(hung, true)
	tl.Model = "" // the first model it lists
	ps := newProcesses(t, coord.Config{Configured: true, Targets: []coord.Target{tl},
		ListTimeout: 50 * time.Millisecond, Breaker: coord.BreakerConfig{OpenFor: time.Minute}})
	_, _, err := ps.next().chat(t, coord.Request{})
	first := usererr.As(err)
	if first == nil || !strings.Contains(first.Msg, "did not answer within 50ms") {
		t.Fatalf("first request: %v; want local's silence said", err)
	}
	for i, e := range []env{ps.next(), ps.next()} {
		_, in, err := e.chat(t, coord.Request{})
		ue := usererr.As(err)
		if ue == nil || in == nil {
			t.Fatalf("request %d after: %v; want it to fail, recorded", i+1, err)
		}
		if !strings.Contains(ue.Msg, "skipped") || !strings.Contains(ue.Msg, "did not answer within 50ms") ||
			!regexp.MustCompile(`tried again in (\d+m)?\d+s`).MatchString(ue.Msg) {
			t.Errorf("request %d after: %q\nwant it to say local was skipped for not answering, and when it is tried again", i+1, ue.Msg)
		}
		if strings.Contains(ue.Msg, "is it running?") && !strings.Contains(ue.Msg, "skipped") {
			t.Errorf("request %d after: %q reads as if it had asked again", i+1, ue.Msg)
		}
	}
}
