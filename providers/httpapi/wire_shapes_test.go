package httpapi

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	sse "github.com/tmaxmax/go-sse"
)

// readEvents returns the type and data of each event read from r, and the
// error that ended them.
func readEvents(r io.Reader) ([][2]string, error) {
	var got [][2]string
	for ev, err := range Events(r) {
		if err != nil {
			return got, err
		}
		got = append(got, [2]string{ev.Type, ev.Data})
	}
	return got, nil
}

// TestEventsReadErrorField checks the "error: …" line llama.cpp's server
// writes for a failure in a stream, followed by "data: [DONE]": it is an
// event of type "error", however the stream is cut into reads and whatever
// its line ends.
func TestEventsReadErrorField(t *testing.T) {
	const body = "data: {\"choices\":[]}\n\n" +
		"error: {\"code\":400,\"message\":\"the request exceeds the available context size\",\"type\":\"invalid_request_error\"}\n\n" +
		"data: [DONE]\n\n"
	want := [][2]string{
		{"", `{"choices":[]}`},
		{"error", `{"code":400,"message":"the request exceeds the available context size","type":"invalid_request_error"}`},
		{"", "[DONE]"},
	}
	for name, r := range map[string]func() io.Reader{
		"whole":        func() io.Reader { return strings.NewReader(body) },
		"byte by byte": func() io.Reader { return iotest.OneByteReader(strings.NewReader(body)) },
		"CRLF":         func() io.Reader { return strings.NewReader(strings.ReplaceAll(body, "\n", "\r\n")) },
		"CR":           func() io.Reader { return iotest.HalfReader(strings.NewReader(strings.ReplaceAll(body, "\n", "\r"))) },
	} {
		t.Run(name, func(t *testing.T) {
			got, err := readEvents(r())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEventsLeaveOtherLinesAlone checks that only a line beginning with
// "error:" is rewritten: not data that says "error:", nor a field or
// comment that only looks like it.
func TestEventsLeaveOtherLinesAlone(t *testing.T) {
	const body = "data: error: not a field\n\n" +
		"event: error\ndata: {\"type\":\"error\"}\n\n" +
		": error: a comment\n\n" +
		"errors: unknown field\n" +
		"data: x\n\n" +
		"err\n" +
		"data: y\n\n"
	want := [][2]string{
		{"", "error: not a field"},
		{"error", `{"type":"error"}`},
		{"", "x"},
		{"", "y"},
	}
	got, err := readEvents(iotest.OneByteReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestEventsDoNotWaitForMore checks that an event is yielded as soon as
// its blank line has come, also when the next line has begun with what
// could be the start of "error:": a server holds the connection open after
// its last event.
func TestEventsDoNotWaitForMore(t *testing.T) {
	for _, rest := range []string{"", "e", "err"} {
		t.Run(rest, func(t *testing.T) {
			pr, pw := io.Pipe()
			defer pr.Close()
			go func() {
				io.WriteString(pw, "data: [DONE]\n\n"+rest)
				// Nothing more until the reader has gone.
			}()
			got := make(chan string, 1)
			go func() {
				for ev, err := range Events(pr) {
					if err == nil {
						got <- ev.Data
					}
					return
				}
			}()
			select {
			case d := <-got:
				if d != "[DONE]" {
					t.Errorf("event data %q", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the event did not come before more input")
			}
			pw.CloseWithError(io.ErrClosedPipe)
		})
	}
}

// TestEventsKeepReadErrorAfterErrorField checks that a body that breaks
// while a line could still become "error:" ends with its error, not as if
// it had ended cleanly.
func TestEventsKeepReadErrorAfterErrorField(t *testing.T) {
	broken := errors.New("connection reset by peer")
	r := io.MultiReader(strings.NewReader("data: a\n\nerr"), iotest.ErrReader(broken))
	got, err := readEvents(r)
	if !errors.Is(err, broken) {
		t.Errorf("err = %v, want %v", err, broken)
	}
	if diff := cmp.Diff([][2]string{{"", "a"}}, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// A clean end there is a line cut short.
	_, err = readEvents(strings.NewReader("data: a\n\nerr"))
	if !errors.Is(err, sse.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want %v", err, sse.ErrUnexpectedEOF)
	}
}

// TestDoKeepsCredentialsOnTheHost checks redirects: within the base URL's
// host they are followed, with the credentials; to another host they are
// refused, since net/http would send it the x-api-key header.
func TestDoKeepsCredentialsOnTheHost(t *testing.T) {
	var elsewhere []string // the keys the other host got
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere = append(elsewhere, r.Header.Get("X-Api-Key"))
		io.WriteString(w, `{}`)
	}))
	defer other.Close()
	// The same server, named otherwise.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)

	var moved []string // the keys the moved path got
	c := client(t, "/v1", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/old":
			http.Redirect(w, r, "/v1/new", http.StatusTemporaryRedirect)
		case "/v1/new":
			moved = append(moved, r.Header.Get("X-Api-Key"))
			io.WriteString(w, `{}`)
		default:
			http.Redirect(w, r, otherURL+r.URL.Path, http.StatusTemporaryRedirect)
		}
	})
	var out map[string]any
	if _, err := c.JSON(t.Context(), http.MethodPost, "old", map[string]any{}, &out); err != nil {
		t.Fatalf("redirect on the same host: %v", err)
	}
	if !slices.Equal(moved, []string{"k1"}) {
		t.Errorf("the moved path got keys %q, want the key once", moved)
	}

	_, err := c.JSON(t.Context(), http.MethodPost, "messages", map[string]any{}, &out)
	var ue *url.Error
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "redirected to another host, localhost") {
		t.Errorf("err = %v, want a *url.Error saying the redirect was refused", err)
	}
	if len(elsewhere) != 0 {
		t.Errorf("the other host was sent the request, with keys %q", elsewhere)
	}
}
