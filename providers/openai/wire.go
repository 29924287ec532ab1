package openai

// The JSON shapes of the three endpoints this package calls, with only the
// fields it sends or reads. Names follow OpenAI's API reference; the
// compatible servers copy them.

import "encoding/json"

// chatRequest is the body of POST /chat/completions.
type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []chatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions streamOptions `json:"stream_options"`
	Tools         []chatTool    `json:"tools,omitempty"`
	Temperature   *float64      `json:"temperature,omitempty"`
	// MaxTokens is the limit compatible servers know; OpenAI's o-series
	// and later models reject it and take MaxCompletionTokens.
	MaxTokens           int `json:"max_tokens,omitempty"`
	MaxCompletionTokens int `json:"max_completion_tokens,omitempty"`
}

// chatMessage is one message of the conversation, its content plain text.
type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// streamOptions asks for a last chunk carrying the usage.
type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// chatTool offers the model a function to call.
type chatTool struct {
	Type     string       `json:"type"` // "function"
	Function toolFunction `json:"function"`
}

// toolFunction describes a function; Parameters is its JSON Schema.
type toolFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

// chatChunk is one event of a streamed answer (object
// "chat.completion.chunk"). Error is set when the event is an error
// instead: {"error": {"message": …}} or {"error": "…"}.
type chatChunk struct {
	ID      string        `json:"id"`
	Model   string        `json:"model"`
	Choices []chunkChoice `json:"choices"`
	// Usage comes in the last chunk, with no choices, when asked for;
	// the chunks before carry null.
	Usage *usage          `json:"usage"`
	Error json.RawMessage `json:"error"`
}

// chunkChoice is a piece of one of the answer's choices (there is one
// unless the request asks for more).
type chunkChoice struct {
	Index        int        `json:"index"`
	Delta        chunkDelta `json:"delta"`
	FinishReason string     `json:"finish_reason"` // null until the last chunk of the choice
}

// chunkDelta is what a chunk adds to the answer.
type chunkDelta struct {
	Content   string          `json:"content"`
	Refusal   string          `json:"refusal"`
	ToolCalls []toolCallDelta `json:"tool_calls"`
}

// toolCallDelta is a fragment of a tool call: the first of a call carries
// its ID and name, the others pieces of its arguments (a JSON object as
// text). Index tells the calls of one answer apart.
type toolCallDelta struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// usage is the token accounting of an answer.
type usage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	PromptTokensDetails struct {
		// CachedTokens of the prompt were read from the prompt cache.
		CachedTokens int `json:"cached_tokens"`
		// CacheWriteTokens were written to it (some gateways report it).
		CacheWriteTokens int `json:"cache_write_tokens"`
	} `json:"prompt_tokens_details"`
}

// modelList is the answer of GET /models. Data is nil when the answer has
// no "data", which is not a model list.
type modelList struct {
	Object string       `json:"object"` // "list"
	Data   *[]modelInfo `json:"data"`
}

// modelInfo is one model of the list.
type modelInfo struct {
	ID      string `json:"id"`
	Created int64  `json:"created"` // Unix seconds; 0 when not given
	OwnedBy string `json:"owned_by"`
}

// embeddingsRequest is the body of POST /embeddings.
type embeddingsRequest struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
	// EncodingFormat is "float": base64, the other, is not known to every
	// compatible server.
	EncodingFormat string `json:"encoding_format"`
}

// embeddingsAnswer is the answer of POST /embeddings.
type embeddingsAnswer struct {
	Data []embedding `json:"data"`
}

// embedding is the vector of the input at Index.
type embedding struct {
	Index     int       `json:"index"`
	Embedding []float32 `json:"embedding"`
}

// errorBody is OpenAI's error answer; Error is an object with the fields
// of errorObject, or (LM Studio, Ollama's native errors) a string.
type errorBody struct {
	Error json.RawMessage `json:"error"`
}

// errorObject is the object under "error" in OpenAI's error answers, and
// the whole body in vLLM's ({"object": "error", "message": …}). Code is a
// string for OpenAI, the HTTP status as a number for some gateways, and
// Param is usually null: each is kept as the raw JSON value.
type errorObject struct {
	Message json.RawMessage `json:"message"`
	Type    json.RawMessage `json:"type"`
	Param   json.RawMessage `json:"param"`
	Code    json.RawMessage `json:"code"`
}
