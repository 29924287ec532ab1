package mesh

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadKeyFileRefusesOpenModes: whoever can read a cluster key file can
// join the cluster and read its traffic, so a key file that group or
// others may read or write is refused, as the node's secret.key is, with
// the chmod that fixes it; one only its owner can reach is read.
func TestReadKeyFileRefusesOpenModes(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		mode os.FileMode
		ok   bool
	}{
		{0o600, true},
		{0o400, true},
		{0o644, false},
		{0o640, false},
		{0o604, false},
		{0o620, false},
	} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cluster.key")
			if err := os.WriteFile(path, []byte(k.Text()+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			got, err := ReadKeyFile(path)
			if tt.ok {
				if err != nil || !got.Equal(k) {
					t.Fatalf("ReadKeyFile = %v, %v; want the key", got, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ReadKeyFile of a mode %04o file = %v, nil; want a refusal", tt.mode, got)
			}
			msg := err.Error()
			for _, want := range []string{path, "accessible to other users", "chmod 600 " + path} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") || strings.Contains(msg, k.Text()) {
				t.Errorf("error %q is not one line without the key", msg)
			}
		})
	}

	// Not a regular file: a directory at the path is named as such.
	dir := t.TempDir()
	if _, err := ReadKeyFile(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadKeyFile(dir) = %v; want it named not a regular file", err)
	}
}

// TestReadKeyFileRefusesFIFO: a FIFO given as the key file is refused at
// once, not read until something writes to it.
func TestReadKeyFileRefusesFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cluster.key")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ReadKeyFile(path)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is not a regular file") {
			t.Errorf("ReadKeyFile(FIFO) = %v; want it refused as not a regular file", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadKeyFile waits on a FIFO")
	}
}
