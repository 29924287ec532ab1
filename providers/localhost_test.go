package providers

import "testing"

func TestIsLocalHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LOCALHOST.", true},
		{"box.localhost", true},
		{"127.0.0.1", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"172.16.0.9", true},
		{"192.168.1.20", true},
		{"fd12:3456::1", true},
		{"169.254.1.1", true},
		{"fe80::1", true},
		{"0.0.0.0", true},
		{"::", true},
		{"8.8.8.8", false},
		{"api.openai.com", false},
		{"localhost.example.com", false},
		{"gpu-box", false}, // names are not resolved
	}
	for _, tt := range tests {
		if got := IsLocalHost(tt.host); got != tt.want {
			t.Errorf("IsLocalHost(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}
