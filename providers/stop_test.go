package providers

import "testing"

func TestIncomplete(t *testing.T) {
	for reason, want := range map[string]bool{
		"stop": false, "end_turn": false, "stop_sequence": false, "tool_use": false, "tool_calls": false, "": false,
		"length": true, "max_tokens": true, "model_context_window_exceeded": true, "content_filter": true, "refusal": true,
	} {
		why, ok := Incomplete(reason)
		if ok != want || ok != (why != "") {
			t.Errorf("Incomplete(%q) = %q, %v; want incomplete %v", reason, why, ok, want)
		}
	}
}
