package providers

import (
	"net/url"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://gw.example.com/v1", "https://gw.example.com/v1"},
		{"https://user:s3cretpass@gw.example.com/v1?x=1", "https://gw.example.com/v1?x=1"},
		{"htps://user:s3cretpass@gw.example.com/v1", "htps://gw.example.com/v1"},
		{"https://user@gw.example.com", "https://gw.example.com"},
		{"user:s3cretpass@gw.example.com:8080", "user:gw.example.com:8080"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", tt.in, err)
		}
		if got := RedactURL(u); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactURLString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://", "http://"},
		{"localhost:1234", "localhost:1234"},
		{"http://[::1", "http://[::1"},
		{"htps://user:s3cretpass@gw.example.com/v1", "htps://gw.example.com/v1"},
		{"http://user:s3cretpass@[::1", "[redacted]"},
		{"http://user:s3cret pass@gw.example.com", "[redacted]"},
	}
	for _, tt := range tests {
		if got := RedactURLString(tt.in); got != tt.want {
			t.Errorf("RedactURLString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
