package providers

// Incomplete says why an answer that ended with stop reason reason (as a
// provider reports it in Result.StopReason) is not the whole answer, in
// words for the user; ok is false for an answer that ended as the model
// meant it to (or for a reason this package does not know).
//
// The reasons of the four APIs: OpenAI and LM Studio's finish_reason
// (stop, length, content_filter, tool_calls), Anthropic's stop_reason
// (end_turn, stop_sequence, tool_use, pause_turn, max_tokens,
// model_context_window_exceeded, refusal) and Ollama's done_reason (stop,
// length, load, unload).
func Incomplete(reason string) (why string, ok bool) {
	switch reason {
	case "length", "max_tokens":
		return "the model reached its limit on output tokens", true
	case "model_context_window_exceeded":
		return "the model's context window is full", true
	case "content_filter":
		return "the provider's content filter stopped it", true
	case "refusal":
		return "the model declined to answer", true
	}
	return "", false
}
