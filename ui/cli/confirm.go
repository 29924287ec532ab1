package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// confirm asks question on stderr, followed by " [y/N] ", and reads the
// answer, one line, from stdin: y or yes is yes; anything else, an empty
// line or the end of input is no. Ctrl-C (SIGINT, SIGTERM and SIGHUP
// cancel the command's context) ends the wait at once with the context's
// error: the command stops there instead of after the next Enter.
func confirm(c *Context, question string) (bool, error) {
	fmt.Fprintf(c.Out.Err, "%s [y/N] ", question)
	line, err := readLine(c, c.Stdin)
	if c.Err() != nil {
		// Never answered: end the prompt's line, so that the error
		// starts a line of its own.
		fmt.Fprintln(c.Out.Err)
		return false, c.Err()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read the answer from stdin: %w", err)
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}

// maxAnswer bounds the line readLine keeps: an answer is a word.
const maxAnswer = 4 << 10

// readLine reads one line from r, returning early with ctx's error when
// ctx ends first.
//
// A file (stdin as the process has it) is waited on with poll(2) beside
// a pipe that ctx's end writes to, so nothing is left reading it after
// readLine returns. Any other reader (a test's) is read by a goroutine,
// which stays blocked until the reader delivers or is closed when ctx
// ends first: no reader of that kind can be woken.
func readLine(ctx context.Context, r io.Reader) (string, error) {
	if f, ok := r.(*os.File); ok {
		return readLineFile(ctx, f)
	}
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(io.LimitReader(r, maxAnswer)).ReadString('\n')
		done <- result{line, err}
	}()
	select {
	case res := <-done:
		return res.line, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// readLineFile reads one line from f, reading no further than its first
// newline; it returns ctx's error as soon as ctx ends.
func readLineFile(ctx context.Context, f *os.File) (string, error) {
	wakeR, wakeW, err := os.Pipe()
	if err != nil {
		return "", fmt.Errorf("prompt: %w", err)
	}
	defer wakeR.Close()
	defer wakeW.Close()
	stop := context.AfterFunc(ctx, func() { wakeW.Write([]byte{0}) })
	defer stop()

	var (
		fd   = int(f.Fd())
		wake = int32(wakeR.Fd())
		line []byte
		// One byte at a time: stdin is left just after the answer's
		// newline for whatever reads it next. A terminal delivers the
		// line only once Enter is pressed, so this costs nothing there.
		b [1]byte
	)
	for {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: wake, Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue // the Go runtime's own signals
			}
			return "", fmt.Errorf("prompt: poll stdin: %w", err)
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if fds[0].Revents == 0 {
			continue
		}
		n, err := unix.Read(fd, b[:])
		switch {
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.EAGAIN):
			continue
		case err != nil:
			return string(line), err
		case n == 0:
			return string(line), io.EOF
		}
		line = append(line, b[0])
		if b[0] == '\n' || len(line) >= maxAnswer {
			return string(line), nil
		}
	}
}
