//go:build linux

// Linux only: the prompt test opens a pseudo-terminal through /dev/ptmx.
// The binary-level tests in the root package cover the rest everywhere.

package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/aiex-dev/aiex/ui/cli"
)

// runKeys runs the command line in-process with stdin and whether it is a
// terminal. It may run on another goroutine than the test's; the test has
// called keysEnv first.
func runKeys(ctx context.Context, stdin io.Reader, tty bool, args ...string) run {
	var out, errb bytes.Buffer
	code := cli.Run(ctx, args, cli.Env{
		Stdin: stdin, StdinTTY: tty, StdinPiped: !tty && stdin != nil,
		Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" },
		Build:  cli.BuildInfo{Version: "test", Commit: "abc"},
	})
	return run{code, out.String(), errb.String()}
}

// keysEnv gives the test a private, empty configuration dir.
func keysEnv(t *testing.T) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
}

func TestKeysSetFromStdin(t *testing.T) {
	const secret = "sk-piped-1234567890"
	tests := []struct {
		name  string
		stdin io.Reader
		code  int
		want  string // on stdout if code is 0, else on stderr
	}{
		{"line", strings.NewReader(secret + "\n"), 0, "stored key for openai (sha256:"},
		{"no newline", strings.NewReader(secret), 0, "stored key for openai (sha256:"},
		{"first line only", strings.NewReader(secret + "\nsecond line\n"), 0, "stored key for openai (sha256:"},
		{"no stdin", nil, 2, "no API key given for openai"},
		{"empty", strings.NewReader(""), 2, "no API key given for openai"},
		{"blank line", strings.NewReader("  \r\n" + secret), 2, "no API key given for openai"},
		{"control character", strings.NewReader("sk-\x01x\n"), 2, "control character"},
		{"too long", strings.NewReader(strings.Repeat("k", 64<<10+1)), 2, "longer than 64 KiB"},
	}
	keysEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := runKeys(context.Background(), tt.stdin, false, "--data-dir", dir, "keys", "set", "openai")
			if r.code != tt.code {
				t.Fatalf("exit %d; want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			got := r.stdout
			if tt.code != 0 {
				got = r.stderr
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("output %q does not mention %q", got, tt.want)
			}
			if strings.Contains(r.stdout+r.stderr, secret) {
				t.Errorf("the key was printed: stdout %q, stderr %q", r.stdout, r.stderr)
			}
		})
	}
}

// openPTY opens a pseudo-terminal: the test types into master, aiex reads
// slave as its stdin.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("pty number: %v", err)
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pty: %v", err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// echoing reports whether the terminal echoes what is typed.
func echoing(t *testing.T, f *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// waitEchoOff polls until aiex has turned echo off, i.e. is at its prompt.
func waitEchoOff(t *testing.T, slave *os.File, done <-chan run) {
	t.Helper()
	// Terminal modes change without an event to wait on: poll.
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for echoing(t, slave) {
		select {
		case r := <-done:
			t.Fatalf("aiex ended before prompting: exit %d, stderr %q", r.code, r.stderr)
		case <-deadline:
			t.Fatal("aiex never turned echo off")
		case <-tick.C:
		}
	}
}

func TestKeysSetPromptsWithoutEcho(t *testing.T) {
	const secret = "sk-typed-0987654321"
	keysEnv(t)
	master, slave := openPTY(t)
	dir := t.TempDir()
	done := make(chan run, 1)
	go func() {
		done <- runKeys(context.Background(), slave, true, "--data-dir", dir, "keys", "set", "openai")
	}()
	waitEchoOff(t, slave, done)
	if _, err := master.WriteString(secret + "\n"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "API key for openai (input hidden): ") {
		t.Errorf("no prompt on stderr: %q", r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "stored key for openai (sha256:") {
		t.Errorf("stdout %q", r.stdout)
	}
	if !echoing(t, slave) {
		t.Error("echo is still off after the prompt")
	}
	// Echo is back: type a marker and read the terminal's output up to its
	// echo. Nothing before it may be the key.
	if _, err := master.WriteString("MARK\n"); err != nil {
		t.Fatal(err)
	}
	master.SetReadDeadline(time.Now().Add(10 * time.Second))
	var shown []byte
	buf := make([]byte, 256)
	for !bytes.Contains(shown, []byte("MARK")) {
		n, err := master.Read(buf)
		shown = append(shown, buf[:n]...)
		if err != nil {
			t.Fatalf("reading the terminal: %v (so far %q)", err, shown)
		}
	}
	if bytes.Contains(shown, []byte(secret)) {
		t.Errorf("the key was echoed: %q", shown)
	}

	// It was stored: list shows its fingerprint, not the key.
	l := runKeys(context.Background(), nil, false, "--data-dir", dir, "--json", "keys", "list")
	var list []struct{ Provider, Fingerprint string }
	if err := json.Unmarshal([]byte(l.stdout), &list); err != nil || len(list) != 1 || list[0].Provider != "openai" {
		t.Fatalf("keys list --json = %q (%v)", l.stdout, err)
	}
}

// TestKeysPromptInterrupted: Ctrl-C at the prompt ends the command and
// turns echo back on.
func TestKeysPromptInterrupted(t *testing.T) {
	keysEnv(t)
	master, slave := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan run, 1)
	go func() {
		done <- runKeys(ctx, slave, true, "--data-dir", t.TempDir(), "keys", "set", "openai")
	}()
	waitEchoOff(t, slave, done)
	cancel()
	r := <-done
	if r.code != 130 {
		t.Fatalf("exit %d; want 130 (stderr %q)", r.code, r.stderr)
	}
	if !echoing(t, slave) {
		t.Error("echo is still off after an interrupted prompt")
	}
	// Let the abandoned read finish, so no goroutine outlives the test.
	master.WriteString("\n")
}

func TestKeysPromptNeedsAFile(t *testing.T) {
	keysEnv(t)
	r := runKeys(context.Background(), strings.NewReader("x\n"), true, "--data-dir", t.TempDir(), "keys", "set", "openai")
	if r.code != 1 || !strings.Contains(r.stderr, "stdin is a terminal but not a file") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestKeysSetOnlyForProvidersThatUseKeys: a key for a name no provider
// reads (a typo, or the key itself pasted where the name goes) is refused
// before the key is read, without echoing the name, and nothing is stored.
func TestKeysSetOnlyForProvidersThatUseKeys(t *testing.T) {
	const secret = "sk-piped-1234567890"
	keysEnv(t)
	config := os.Getenv("XDG_CONFIG_HOME") + "/aiex/config.toml"
	tests := []struct {
		name, config, provider string
		code                   int
		want                   string // on stderr when code is not 0
	}{
		{"default openai", "", "openai", 0, ""},
		{"default anthropic", "", "anthropic", 0, ""},
		{"typo", "", "opnai", 2, "name one of anthropic, openai"},
		{"key in the name's place", "", "sk-pasted-key-0123456789", 2, "name one of anthropic, openai"},
		{"configured", "[providers.work]\nkind = \"openai\"\n", "work", 0, ""},
		{"not configured", "[providers.work]\nkind = \"openai\"\n[providers.local]\nkind = \"ollama\"\n", "openai", 2, "name one of work, or add the provider to " + config},
		{"ollama takes none", "[providers.local]\nkind = \"ollama\"\n", "work", 2, "none of the providers in " + config + " takes an API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.MkdirAll(os.Getenv("XDG_CONFIG_HOME")+"/aiex", 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(config, []byte(tt.config), 0o600); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			r := runKeys(context.Background(), strings.NewReader(secret+"\n"), false, "--data-dir", dir, "keys", "set", tt.provider)
			if r.code != tt.code {
				t.Fatalf("exit %d; want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			l := runKeys(context.Background(), nil, false, "--data-dir", dir, "--json", "keys", "list")
			var list []struct{ Provider string }
			if err := json.Unmarshal([]byte(l.stdout), &list); err != nil {
				t.Fatalf("keys list --json = %q (%v)", l.stdout, err)
			}
			if tt.code == 0 {
				if len(list) != 1 || list[0].Provider != tt.provider {
					t.Fatalf("keys list = %+v", list)
				}
				return
			}
			if !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr %q; want one line mentioning %q", r.stderr, tt.want)
			}
			if strings.Contains(r.stderr, tt.provider) || strings.Contains(r.stderr, secret) {
				t.Errorf("the name or the key was echoed: %q", r.stderr)
			}
			if len(list) != 0 {
				t.Errorf("stored anyway: %+v", list)
			}
		})
	}
}
