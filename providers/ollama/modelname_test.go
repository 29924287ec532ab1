package ollama

import "testing"

// TestModelName: a name without a tag is the "latest" tag's, as Ollama
// lists it; a registry's port is no tag.
func TestModelName(t *testing.T) {
	p := &Provider{}
	for in, want := range map[string]string{
		"tiny":                     "tiny:latest",
		"tiny:latest":              "tiny:latest",
		"qwen2.5-coder:7b":         "qwen2.5-coder:7b",
		"hf.co/user/repo":          "hf.co/user/repo:latest",
		"hf.co/user/repo:Q4_K_M":   "hf.co/user/repo:Q4_K_M",
		"localhost:5000/lib/tiny":  "localhost:5000/lib/tiny:latest",
		"tiny@sha256:0123456789ab": "tiny@sha256:0123456789ab",
	} {
		if got := p.ModelName(in); got != want {
			t.Errorf("ModelName(%q) = %q; want %q", in, got, want)
		}
	}
}
