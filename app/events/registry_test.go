package events_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/aiex-dev/aiex/app/events"
)

func TestRegistry(t *testing.T) {
	reg, err := events.NewRegistry(noteTypes()...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.With(noteTypes()[1]); err == nil {
		t.Fatal("a type registered twice was accepted")
	}
	bad := events.Type{Name: "note.added2", Version: 2, New: func() events.Payload { return new(noteAdded) }}
	if _, err := events.NewRegistry(bad); err == nil {
		t.Fatal("a version-2 type without an upcaster was accepted")
	}
	typ, schema, payload, err := reg.Encode(&noteAdded{Text: "hi"})
	if err != nil || typ != "note.added" || schema != 2 || string(payload) != `{"text":"hi"}` {
		t.Fatalf("Encode = %s %d %s %v", typ, schema, payload, err)
	}
	p, err := reg.Decode(&events.Event{ID: 9, Type: typ, Schema: 1, Payload: json.RawMessage(`{"body":"old"}`)})
	if err != nil || p.(*noteAdded).Text != "old" {
		t.Fatalf("Decode v1 = %+v, %v", p, err)
	}
	_, err = reg.Decode(&events.Event{ID: 10, Type: typ, Schema: 1, Payload: json.RawMessage(`{"body":7}`)})
	var de *events.DecodeError
	if !errors.As(err, &de) || de.ID != 10 || !errors.Is(err, events.ErrCorrupt) {
		t.Fatalf("Decode of a v1 payload the upcaster cannot read: %v", err)
	}
	if _, _, _, err := reg.Encode(&unregistered{}); !errors.Is(err, events.ErrUnknownType) {
		t.Fatalf("Encode of an unregistered type: %v", err)
	}
	if got := reg.Types(); len(got) != 2 || got[0] != "note.added" {
		t.Fatalf("Types = %v", got)
	}
}

type unregistered struct{}

func (*unregistered) EventType() string { return "nope" }
