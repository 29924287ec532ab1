package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	sse "github.com/tmaxmax/go-sse"
)

// client returns a Client for a server running h, with base path base.
func client(t *testing.T, base string, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL + base)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{HTTP: srv.Client(), Base: u, Header: http.Header{"X-Api-Key": {"k1"}}}
}

func TestDoSendsJSONToPathUnderBase(t *testing.T) {
	var got struct {
		method, path, query, accept, ctype, key string
		body                                    map[string]any
	}
	c := client(t, "/v1/", func(w http.ResponseWriter, r *http.Request) {
		got.method, got.path, got.query = r.Method, r.URL.Path, r.URL.RawQuery
		got.accept, got.ctype, got.key = r.Header.Get("Accept"), r.Header.Get("Content-Type"), r.Header.Get("X-Api-Key")
		json.NewDecoder(r.Body).Decode(&got.body)
		io.WriteString(w, `{"id":"m1"}`)
	})
	var out struct{ ID string }
	resp, err := c.JSON(context.Background(), http.MethodPost, "/messages?beta=true", map[string]any{"model": "x"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || out.ID != "m1" {
		t.Errorf("answer: status %d, decoded %+v", resp.StatusCode, out)
	}
	if got.method != "POST" || got.path != "/v1/messages" || got.query != "beta=true" {
		t.Errorf("request line: %s %s ?%s", got.method, got.path, got.query)
	}
	if got.accept != "application/json" || got.ctype != "application/json" || got.key != "k1" || got.body["model"] != "x" {
		t.Errorf("request: accept %q, content type %q, key %q, body %v", got.accept, got.ctype, got.key, got.body)
	}
}

func TestDoKeepsBaseQuery(t *testing.T) {
	var got []string
	c := client(t, "/openai?api-version=2024-10-21", func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.Path+"?"+r.URL.RawQuery)
	})
	for _, path := range []string{"models", "models?limit=5"} {
		resp, err := c.Do(context.Background(), http.MethodGet, path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	want := []string{"/openai/models?api-version=2024-10-21", "/openai/models?api-version=2024-10-21&limit=5"}
	if !slices.Equal(got, want) {
		t.Errorf("requested %q, want %q", got, want)
	}
}

func TestDoWithoutBodySendsNoContentType(t *testing.T) {
	var ctype string
	var n int64
	c := client(t, "", func(w http.ResponseWriter, r *http.Request) {
		ctype, n = r.Header.Get("Content-Type"), r.ContentLength
	})
	resp, err := c.Do(context.Background(), http.MethodGet, "models", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ctype != "" || n != 0 {
		t.Errorf("GET without a body sent content type %q, length %d", ctype, n)
	}
}

func TestErrorAnswerIsStatusError(t *testing.T) {
	c := client(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, "slow down\nplease")
	})
	_, err := c.Do(context.Background(), http.MethodGet, "x", "application/json", nil)
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want a *StatusError", err, err)
	}
	if se.StatusCode != 429 || se.Header.Get("Retry-After") != "7" || string(se.Body) != "slow down\nplease" {
		t.Errorf("StatusError = %d %v %q", se.StatusCode, se.Header, se.Body)
	}
	if got := se.Error(); got != "HTTP status 429: slow down" {
		t.Errorf("Error() = %q", got)
	}
}

func TestErrorBodyIsBounded(t *testing.T) {
	c := client(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, strings.Repeat("x", MaxErrorBody+100))
	})
	_, err := c.Do(context.Background(), http.MethodGet, "x", "application/json", nil)
	var se *StatusError
	if !errors.As(err, &se) || len(se.Body) != MaxErrorBody {
		t.Fatalf("err = %v; body of %d bytes, want %d", err, len(se.Body), MaxErrorBody)
	}
}

func TestMalformedAnswerIsDecodeError(t *testing.T) {
	c := client(t, "", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"data": [`) })
	var out struct{ Data []string }
	_, err := c.JSON(context.Background(), http.MethodGet, "x", nil, &out)
	var de *DecodeError
	if !errors.As(err, &de) || string(de.Body) != `{"data": [` {
		t.Fatalf("err = %v (%T), want a *DecodeError with the body", err, err)
	}
}

func TestUnreachableIsURLError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	u, _ := url.Parse("http://user:secret@" + addr)
	c := &Client{HTTP: http.DefaultClient, Base: u}
	_, err = c.Do(context.Background(), http.MethodGet, "x", "application/json", nil)
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v (%T), want a *url.Error", err, err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestEvents(t *testing.T) {
	for _, tc := range []struct {
		name, stream string
		want         []sse.Event
		err          error
	}{
		{"whole", "event: a\ndata: {\"x\":1}\n\n: comment\n\ndata: line1\ndata: line2\n\n",
			[]sse.Event{{Type: "a", Data: `{"x":1}`}, {Data: "line1\nline2"}}, nil},
		{"no blank line at the end", "data: 1\n\ndata: 2\n", []sse.Event{{Data: "1"}, {Data: "2"}}, nil},
		{"cut inside a line", "data: 1\n\ndata: {\"x\"", []sse.Event{{Data: "1"}}, sse.ErrUnexpectedEOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []sse.Event
			var last error
			for ev, err := range Events(strings.NewReader(tc.stream)) {
				if err != nil {
					last = err
					break
				}
				got = append(got, ev)
			}
			if !slices.Equal(got, tc.want) || !errors.Is(last, tc.err) {
				t.Errorf("events = %+v, then %v; want %+v, then %v", got, last, tc.want, tc.err)
			}
		})
	}
}

func TestEventsReportsBrokenBody(t *testing.T) {
	r := io.MultiReader(strings.NewReader("data: 1\n\n"), errReader{io.ErrUnexpectedEOF})
	n := 0
	var last error
	for _, err := range Events(r) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if n != 1 || !errors.Is(last, io.ErrUnexpectedEOF) {
		t.Errorf("got %d events, then %v; want 1, then the read error", n, last)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
