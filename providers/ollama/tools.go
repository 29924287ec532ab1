package ollama

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
)

// toTools converts the request's tools to Ollama's function tools; nil when
// there are none, so the request carries no "tools" key.
func toTools(ts []providers.Tool) (api.Tools, error) {
	if len(ts) == 0 {
		return nil, nil
	}
	out := make(api.Tools, len(ts))
	for i, t := range ts {
		params, err := toToolParameters(t.Parameters)
		if err != nil {
			return nil, fmt.Errorf("tool %q: parameters are not a JSON Schema object: %w", t.Name, err)
		}
		out[i] = api.Tool{
			Type: "function",
			Function: api.ToolFunction{
				Name:        t.Name,
				Description: t.Description,
				Parameters:  params,
			},
		}
	}
	return out, nil
}

// toToolParameters converts a JSON Schema into Ollama's parameters type by
// decoding it through that type's own JSON tags, which keeps the order of
// the properties. What the type can carry survives: at the top, "type",
// "$defs", "items", "required" and "properties"; in each property, "type"
// (a name or a list of names), "description", "enum", "items", "anyOf" and
// nested "properties". Other keywords ("additionalProperties", "default",
// "format", "minimum", "oneOf", "$ref", a nested "required", …) have no
// place in it and are dropped, as Ollama's own server drops them. An empty
// or null schema, or one without "type", means an object; one without
// "properties" gets an empty set of them.
func toToolParameters(schema json.RawMessage) (api.ToolFunctionParameters, error) {
	p := api.ToolFunctionParameters{Type: "object"}
	if s := bytes.TrimSpace(schema); len(s) > 0 && !bytes.Equal(s, []byte("null")) {
		if s[0] != '{' {
			return api.ToolFunctionParameters{}, fmt.Errorf("got %.20s", s)
		}
		if err := json.Unmarshal(s, &p); err != nil {
			return api.ToolFunctionParameters{}, err
		}
	}
	if p.Type == "" {
		p.Type = "object"
	}
	if p.Properties == nil {
		// Sent as {} rather than null: model templates range over it.
		p.Properties = api.NewToolPropertiesMap()
	}
	return p, nil
}

// toChunks returns the chunks of one streamed message: its text, then each
// of its tool calls, numbered from next. It returns none for a message
// without either (the final object, a thinking piece).
//
// Ollama parses tool calls out of the model's output and sends each whole:
// the chunk has the call's ID ("call_<next>" when the server gave none, as
// servers before 0.12 did), its name and its arguments object as JSON text.
// Calls are numbered here rather than by the server's function.index, which
// some of its parsers leave at 0 for every call.
func toChunks(m api.Message, next int) []providers.Chunk {
	var cs []providers.Chunk
	if m.Content != "" {
		cs = append(cs, providers.Chunk{Text: m.Content})
	}
	for i, tc := range m.ToolCalls {
		id := tc.ID
		if id == "" {
			id = fmt.Sprintf("call_%d", next+i)
		}
		cs = append(cs, providers.Chunk{ToolCall: &providers.ToolCallDelta{
			Index:     next + i,
			ID:        id,
			Name:      tc.Function.Name,
			Arguments: tc.Function.Arguments.String(),
		}})
	}
	return cs
}
