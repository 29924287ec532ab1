package session_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/session/sessiontest"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestRestartMarksInterrupted: a process stops mid-turn; the next one
// finds every finished turn and the one that was running interrupted.
func TestRestartMarksInterrupted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := db.Open(ctx, db.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	must(t, err)
	first := envOn(t, st, st.NodeID(), session.Config{})
	s, _ := first.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, s, "one", "1")
	turn(t, s, "two", "2")
	if _, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "three"}); err != nil {
		t.Fatal(err)
	}
	must(t, st.Close(ctx)) // the process is gone; what it committed stays

	st = dbtest.OpenDir(t, dir)
	next := envOn(t, st, st.NodeID(), session.Config{})
	c, err := next.svc.Begin(ctx, session.RefLast, "/p", "cli")
	must(t, err)
	got := c.Turns(ctx, 1, 0)
	if len(got) != 3 || got[0].Answer != "1" || got[1].Answer != "2" || got[2].Status != db.TurnInterrupted || got[2].Orphaned {
		t.Fatalf("after restart: %+v", got)
	}
	sessiontest.CheckReplay(t, next.log, st)
}

// The kill -9 test runs this test binary again as a writer process: it
// continues the last session of a project, printing "started N" once turn
// N's start is committed and "acked N" once its answer is, turn after
// turn, until it is killed.
const killEnv = "AIEX_SESSION_KILL_CHILD"

// runKillChild runs the writer process if this binary was started as
// one, and reports whether it was.
func runKillChild() bool {
	dir := os.Getenv(killEnv)
	if dir == "" {
		return false
	}
	if err := killChild(dir); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	os.Exit(0)
	return true
}

func killChild(dir string) error {
	ctx := context.Background()
	st, err := db.Open(ctx, db.Config{Dir: dir})
	if err != nil {
		return err
	}
	reg, err := events.NewRegistry(session.Types()...)
	if err != nil {
		return err
	}
	svc := session.New(session.Config{Log: events.New(events.Config{Store: st, Registry: reg}), Store: st, SnapshotEvery: 7})
	s, err := svc.Begin(ctx, session.RefLast, "/kill", "cli")
	if err != nil {
		return err
	}
	fmt.Println("session", s.ID())
	for i := 0; ; i++ {
		n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: fmt.Sprintf("q-%d-%d", os.Getpid(), i)})
		if err != nil {
			return err
		}
		fmt.Println("started", n)
		if err := s.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: fmt.Sprint("a", n), Provider: "p", Model: "m",
			PromptTokens: 3, CompletionTokens: 5, CostUSD: 0.001}); err != nil {
			return err
		}
		fmt.Println("acked", n)
	}
}

// TestKill9 kills a writer process with SIGKILL at random moments of its
// turns, several times over one session, and checks after each kill that
// the session shows every acknowledged turn, that a turn that was running
// is interrupted (never lost, never twice), and that the projections are
// still what the log replays to.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process")
	}
	ctx := context.Background()
	dir := t.TempDir()
	acked := map[int64]bool{}
	var started int64
	for round := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), killEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		must(t, err)
		cmd.Stderr = os.Stderr
		must(t, cmd.Start())
		lines := bufio.NewScanner(out)
		killAfter := 3 + rand.IntN(20)
		for seen := 0; seen < killAfter && lines.Scan(); seen++ {
			f := strings.Fields(lines.Text())
			if len(f) == 2 && (f[0] == "started" || f[0] == "acked") {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				if f[0] == "acked" {
					acked[n] = true
				}
				started = max(started, n)
			} else if f[0] == "error" {
				t.Fatalf("writer: %s", lines.Text())
			}
		}
		must(t, cmd.Process.Kill()) // SIGKILL
		_ = cmd.Wait()

		st, err := db.Open(ctx, db.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
		must(t, err)
		answers := map[int64]string{}
		for n := range acked {
			answers[n] = fmt.Sprint("a", n)
		}
		turns := sessiontest.AfterCrash(t, st, "/kill", answers, started)
		t.Logf("round %d: killed after %d lines; %d turns, last %s", round, killAfter, len(turns), turns[len(turns)-1].Status)
		must(t, st.Close(ctx))
	}
}
