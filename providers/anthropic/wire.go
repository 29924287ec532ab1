package anthropic

// The wire format of the two endpoints this package calls, as far as it
// reads and writes it: POST /v1/messages with "stream": true, answered with
// server-sent events, and GET /v1/models. Fields the API sends that are not
// here (thinking blocks, citations, service tiers, …) are ignored.

import (
	"encoding/json"
	"errors"
)

// apiVersion is the anthropic-version header sent with every request. This
// version rejects the sampling parameters (temperature, top_p, top_k).
const apiVersion = "2026-10-21"

// The API's paths, joined to the base URL.
const (
	pathMessages = "/v1/messages"
	pathModels   = "/v1/models"
)

// messagesRequest is the body of POST /v1/messages.
type messagesRequest struct {
	Model     string      `json:"model"`
	MaxTokens int         `json:"max_tokens"`
	System    []textBlock `json:"system,omitempty"`
	Messages  []message   `json:"messages,omitempty"`
	Tools     []tool      `json:"tools,omitempty"`
	Stream    bool        `json:"stream,omitempty"`
}

// message is one turn of the conversation: role "user" or "assistant".
type message struct {
	Role    string      `json:"role"`
	Content []textBlock `json:"content"`
}

// textBlock is a content block of type "text".
type textBlock struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// newTextBlock returns a text block holding text.
func newTextBlock(text string) textBlock { return textBlock{Type: "text", Text: text} }

// tool is a tool the model may call.
type tool struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// InputSchema is a JSON Schema of type object, by keyword.
	InputSchema map[string]json.RawMessage `json:"input_schema"`
}

// streamEvent is the data of one server-sent event of a streamed answer,
// with the fields of every type it reads side by side:
//
//   - message_start: Message (model and the usage so far);
//   - content_block_start: Index and ContentBlock (a text block with its
//     first text, or a tool_use block with ID and Name);
//   - content_block_delta: Index and Delta (text_delta with Text,
//     input_json_delta with PartialJSON);
//   - message_delta: Delta (StopReason) and Usage;
//   - content_block_stop, message_stop and ping: only Type.
//
// An "error" event carries an errorBody instead.
type streamEvent struct {
	Type         string       `json:"type"`
	Message      eventMessage `json:"message"`
	Index        int          `json:"index"`
	ContentBlock contentBlock `json:"content_block"`
	Delta        eventDelta   `json:"delta"`
	Usage        usage        `json:"usage"`
}

// eventMessage is the message of message_start, before any content.
type eventMessage struct {
	ID    string `json:"id"`
	Model string `json:"model"`
	Usage usage  `json:"usage"`
}

// contentBlock is the block a content_block_start opens. A tool_use block's
// input is always {} there; its arguments follow as input_json_delta.
type contentBlock struct {
	Type string `json:"type"`
	Text string `json:"text"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// eventDelta is the delta of content_block_delta or of message_delta.
type eventDelta struct {
	Type         string `json:"type"`
	Text         string `json:"text"`
	PartialJSON  string `json:"partial_json"`
	StopReason   string `json:"stop_reason"`
	StopSequence string `json:"stop_sequence"`
}

// usage holds token counts; a count the event does not carry is nil.
// input_tokens leaves out the cached tokens, which the cache counts hold.
type usage struct {
	InputTokens              *int64 `json:"input_tokens"`
	OutputTokens             *int64 `json:"output_tokens"`
	CacheReadInputTokens     *int64 `json:"cache_read_input_tokens"`
	CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens"`
}

// errorBody is the body of an error answer and the data of an "error"
// event: {"type":"error","error":{"type":…,"message":…},"request_id":…}.
type errorBody struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
	RequestID string `json:"request_id"`
}

// modelPage is one page of GET /v1/models, newest model first. The next
// page is the one after LastID.
type modelPage struct {
	Data []modelInfo `json:"data"`
	// HasMore is nil when the answer does not say.
	HasMore *bool  `json:"has_more"`
	FirstID string `json:"first_id"`
	LastID  string `json:"last_id"`
}

// modelInfo is one model of the list.
type modelInfo struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	// CreatedAt is an RFC 3339 time, kept as text so that a malformed one
	// loses only itself, not the list.
	CreatedAt string `json:"created_at"`
	// MaxInputTokens is the model's context window; 0 when not listed.
	MaxInputTokens int64 `json:"max_input_tokens"`
}

// tolerated returns nil for err from json.Unmarshal when it only says that a
// field had an unexpected type: encoding/json has decoded the rest, and the
// field is left out as a field the API adds would be. Data that is not JSON,
// or not an object, stays an error.
func tolerated(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return nil
	}
	return err
}
