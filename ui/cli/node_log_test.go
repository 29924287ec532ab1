package cli

import (
	"bytes"
	"log"
	"log/slog"
	"os"
	"strings"
	"testing"
)

// What tsnet's parts print through the standard log package (tlsdial's
// certificate errors) goes to the logger at debug level, so that it shows
// with -v only, and the log is put back afterwards.
func TestStdLogToDebug(t *testing.T) {
	var stderr, logged bytes.Buffer
	log.SetOutput(&stderr)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	info := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelInfo}))
	restore := stdLogToDebug(info)
	log.Printf("tlsdial: error: server cert for %q failed", "controlplane")
	restore()
	if stderr.Len() != 0 || logged.Len() != 0 {
		t.Errorf("without -v the line printed: stderr %q, logger %q", stderr.String(), logged.String())
	}

	debug := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	restore = stdLogToDebug(debug)
	log.Printf("tlsdial: error: x")
	restore()
	if !strings.Contains(logged.String(), "level=DEBUG") || !strings.Contains(logged.String(), "tlsdial: error: x") {
		t.Errorf("with -v the line is not a debug record: %q", logged.String())
	}
	log.Printf("after")
	if !strings.Contains(stderr.String(), "after") || strings.Contains(stderr.String(), "tlsdial") {
		t.Errorf("log not put back: %q", stderr.String())
	}
}
