package cli

import "testing"

func TestNamedError(t *testing.T) {
	tests := []struct{ name, msg, want string }{
		{"gpu", "gpu: unavailable: cannot reach Ollama", "gpu: unavailable: cannot reach Ollama"},
		{"gpu", "Ollama at http://h:1 did not answer within 2s", "gpu: Ollama at http://h:1 did not answer within 2s"},
		{"gpu", "gpu2: unavailable: x", "gpu: gpu2: unavailable: x"},
	}
	for _, tt := range tests {
		if got := namedError(tt.name, tt.msg); got != tt.want {
			t.Errorf("namedError(%q, %q) = %q; want %q", tt.name, tt.msg, got, tt.want)
		}
	}
}
