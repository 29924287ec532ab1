package ollama

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
)

func TestToTools(t *testing.T) {
	tests := []struct {
		name   string
		params string
		want   string // the parameters as sent, in the order they are sent
	}{
		{
			name:   "no schema",
			params: "",
			want:   `{"type":"object","properties":{}}`,
		},
		{
			name:   "null schema",
			params: " null ",
			want:   `{"type":"object","properties":{}}`,
		},
		{
			name:   "empty object",
			params: `{}`,
			want:   `{"type":"object","properties":{}}`,
		},
		{
			name: "properties keep their order",
			params: `{"type":"object","properties":{
				"path":{"type":"string","description":"file to read"},
				"from":{"type":"integer"},
				"all":{"type":"boolean"}},
				"required":["path"]}`,
			want: `{"type":"object","required":["path"],"properties":{` +
				`"path":{"type":"string","description":"file to read"},` +
				`"from":{"type":"integer"},"all":{"type":"boolean"}}}`,
		},
		{
			name: "what the type can carry",
			params: `{"type":"object","$defs":{"pos":{"type":"integer"}},"properties":{
				"mode":{"type":"string","enum":["r","w"]},
				"lines":{"type":"array","items":{"type":"integer","minimum":1}},
				"n":{"type":["integer","null"]},
				"id":{"anyOf":[{"type":"string"},{"type":"integer"}]},
				"opts":{"type":"object","properties":{"deep":{"type":"boolean"},"z":{"type":"string"}}}}}`,
			want: `{"type":"object","$defs":{"pos":{"type":"integer"}},"properties":{` +
				`"mode":{"type":"string","enum":["r","w"]},` +
				`"lines":{"type":"array","items":{"minimum":1,"type":"integer"}},` +
				`"n":{"type":["integer","null"]},` +
				`"id":{"anyOf":[{"type":"string"},{"type":"integer"}]},` +
				`"opts":{"type":"object","properties":{"deep":{"type":"boolean"},"z":{"type":"string"}}}}}`,
		},
		{
			name: "keywords without a place are dropped",
			params: `{"type":"object","additionalProperties":false,"title":"T","properties":{
				"a":{"type":"string","format":"uri","default":"x","pattern":"^h","$ref":"#/$defs/a"},
				"b":{"type":"object","required":["c"],"oneOf":[{"type":"object"}]}}}`,
			want: `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"object"}}}`,
		},
		{
			name:   "no type means an object",
			params: `{"properties":{"q":{"type":"string"}}}`,
			want:   `{"type":"object","properties":{"q":{"type":"string"}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tools, err := toTools([]providers.Tool{{Name: "read", Description: "Read a file.", Parameters: json.RawMessage(tt.params)}})
			if err != nil {
				t.Fatalf("toTools: %v", err)
			}
			if len(tools) != 1 || tools[0].Type != "function" || tools[0].Function.Name != "read" || tools[0].Function.Description != "Read a file." {
				t.Fatalf("tools = %v", tools)
			}
			got, err := json.Marshal(tools[0].Function.Parameters)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("parameters (-want +got):\n%s", diff)
			}
		})
	}
}

func TestToToolsNone(t *testing.T) {
	for _, ts := range [][]providers.Tool{nil, {}} {
		if got, err := toTools(ts); got != nil || err != nil {
			t.Errorf("toTools(%v) = %v, %v; want nil, nil", ts, got, err)
		}
	}
}

func TestToToolsInvalid(t *testing.T) {
	tests := []struct {
		name, params, wantErr string
	}{
		{"array", `[1,2]`, `tool "f": parameters are not a JSON Schema object: got [1,2]`},
		{"string", `"object"`, `tool "f": parameters are not a JSON Schema object: got "object"`},
		{"not JSON", `{"type":`, `tool "f": parameters are not a JSON Schema object: unexpected end of JSON input`},
		{"type list at the top", `{"type":["object","null"]}`, `tool "f": parameters are not a JSON Schema object: json: cannot unmarshal array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := toTools([]providers.Tool{{Name: "f", Parameters: json.RawMessage(tt.params)}})
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to start with %q", err, tt.wantErr)
			}
		})
	}
}

// toolCall builds an api.ToolCall with arguments given as JSON text.
func toolCall(t *testing.T, id, name, args string) api.ToolCall {
	t.Helper()
	a := api.NewToolCallFunctionArguments()
	if err := a.UnmarshalJSON([]byte(args)); err != nil {
		t.Fatal(err)
	}
	return api.ToolCall{ID: id, Function: api.ToolCallFunction{Name: name, Arguments: a}}
}

func TestToChunks(t *testing.T) {
	tests := []struct {
		name string
		msg  api.Message
		next int
		want []providers.Chunk
	}{
		{name: "text", msg: api.Message{Role: "assistant", Content: "x"}, want: []providers.Chunk{{Text: "x"}}},
		{name: "final object", msg: api.Message{Role: "assistant"}, want: nil},
		{name: "thinking only", msg: api.Message{Role: "assistant", Thinking: "hmm"}, want: nil},
		{
			name: "a call with its ID",
			msg:  api.Message{Role: "assistant", ToolCalls: []api.ToolCall{toolCall(t, "call_k3x9a0bq", "read", `{"path":"a.go","from":3}`)}},
			want: []providers.Chunk{{ToolCall: &providers.ToolCallDelta{Index: 0, ID: "call_k3x9a0bq", Name: "read", Arguments: `{"path":"a.go","from":3}`}}},
		},
		{
			name: "calls without IDs, numbered on",
			msg: api.Message{Role: "assistant", ToolCalls: []api.ToolCall{
				toolCall(t, "", "a", `{"z":1,"a":2}`), toolCall(t, "", "b", `{}`)}},
			next: 2,
			want: []providers.Chunk{
				{ToolCall: &providers.ToolCallDelta{Index: 2, ID: "call_2", Name: "a", Arguments: `{"z":1,"a":2}`}},
				{ToolCall: &providers.ToolCallDelta{Index: 3, ID: "call_3", Name: "b", Arguments: `{}`}},
			},
		},
		{
			name: "text then a call without arguments",
			msg:  api.Message{Role: "assistant", Content: "Reading.", ToolCalls: []api.ToolCall{{Function: api.ToolCallFunction{Name: "ls"}}}},
			want: []providers.Chunk{{Text: "Reading."}, {ToolCall: &providers.ToolCallDelta{ID: "call_0", Name: "ls", Arguments: `{}`}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, toChunks(tt.msg, tt.next)); diff != "" {
				t.Errorf("toChunks (-want +got):\n%s", diff)
			}
		})
	}
}
