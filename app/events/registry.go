package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// Payload is the data of an event of a registered type.
type Payload interface {
	// EventType is the type's name, e.g. "turn.completed".
	EventType() string
}

// Validator is implemented by payloads that can tell a well-formed value
// from a corrupt one (a missing field, an impossible number). Decode calls
// it after upcasting.
type Validator interface {
	Validate() error
}

// Upcaster turns the JSON of one schema version of a type into the next
// version's. Upcasters are pure functions of the payload: old events stay
// as they were written and are upcast whenever they are read.
type Upcaster func(old json.RawMessage) (json.RawMessage, error)

// Type describes one event type.
type Type struct {
	Name string
	// Version is the type's current schema version (1, 2, …): what new
	// events are written with.
	Version int
	// New returns a pointer to a zero payload of the current version.
	New func() Payload
	// Upcast[v-1] turns version v into version v+1; it has Version-1
	// entries.
	Upcast []Upcaster
}

// Sentinel errors of Decode, wrapped in a *DecodeError.
var (
	// ErrUnknownType: no registered type has the event's type name.
	ErrUnknownType = errors.New("unknown event type")
	// ErrUnknownSchema: the event's schema version is newer than this
	// binary knows (written by a newer aiex), or not a version at all.
	ErrUnknownSchema = errors.New("unknown schema version")
	// ErrCorrupt: the payload is not valid JSON of its type, or fails its
	// type's validation.
	ErrCorrupt = errors.New("corrupt payload")
)

// DecodeError reports an event that could not be decoded.
type DecodeError struct {
	ID      int64
	Stream  string
	Version int64
	Type    string
	Schema  int
	Err     error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("event %d (%s v%d, %s schema %d): %v", e.ID, e.Stream, e.Version, e.Type, e.Schema, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Registry knows the event types: how to encode a payload at its type's
// current version and how to decode any version ever written. It is built
// once and read-only afterwards: safe for concurrent use.
type Registry struct {
	types map[string]*Type
}

// NewRegistry returns a registry of types; it fails on a duplicate name or
// an incomplete type.
func NewRegistry(types ...Type) (*Registry, error) {
	r := &Registry{types: make(map[string]*Type, len(types))}
	for _, t := range types {
		if err := r.add(t); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// With returns a registry with r's types and more; r is unchanged.
func (r *Registry) With(types ...Type) (*Registry, error) {
	out := &Registry{types: make(map[string]*Type, len(r.types)+len(types))}
	for k, v := range r.types {
		out.types[k] = v
	}
	for _, t := range types {
		if err := out.add(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *Registry) add(t Type) error {
	switch {
	case t.Name == "":
		return errors.New("events: type with no name")
	case t.Version < 1:
		return fmt.Errorf("events: type %s: version %d", t.Name, t.Version)
	case t.New == nil:
		return fmt.Errorf("events: type %s: no New", t.Name)
	case len(t.Upcast) != t.Version-1:
		return fmt.Errorf("events: type %s version %d needs %d upcasters, has %d", t.Name, t.Version, t.Version-1, len(t.Upcast))
	case t.New().EventType() != t.Name:
		return fmt.Errorf("events: type %s: its payload says %s", t.Name, t.New().EventType())
	}
	if _, dup := r.types[t.Name]; dup {
		return fmt.Errorf("events: type %s registered twice", t.Name)
	}
	r.types[t.Name] = &t
	return nil
}

// Types lists the registered type names, sorted.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.types))
	for k := range r.types {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Encode returns p's type name, current schema version and JSON.
func (r *Registry) Encode(p Payload) (typ string, schema int, payload []byte, err error) {
	t, ok := r.types[p.EventType()]
	if !ok {
		return "", 0, nil, fmt.Errorf("events: encode: %w %q", ErrUnknownType, p.EventType())
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", 0, nil, fmt.Errorf("events: encode %s: %w", t.Name, err)
	}
	return t.Name, t.Version, b, nil
}

// Decode returns ev's payload at its type's current version (upcast from
// the version it was written with), as the pointer New returns. Failures
// are *DecodeError wrapping ErrUnknownType, ErrUnknownSchema or ErrCorrupt.
func (r *Registry) Decode(ev *Event) (Payload, error) {
	fail := func(err error) error {
		return &DecodeError{ID: ev.ID, Stream: ev.Stream, Version: ev.Version, Type: ev.Type, Schema: ev.Schema, Err: err}
	}
	t, ok := r.types[ev.Type]
	if !ok {
		return nil, fail(ErrUnknownType)
	}
	schema := ev.Schema
	if schema == 0 {
		schema = 1
	}
	if schema < 1 || schema > t.Version {
		return nil, fail(fmt.Errorf("%w: this aiex reads %s up to version %d", ErrUnknownSchema, t.Name, t.Version))
	}
	raw := bytes.TrimSpace(ev.Payload)
	// Unmarshal leaves a struct alone on "null"; anything but an object is
	// corrupt.
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fail(fmt.Errorf("%w: not a JSON object", ErrCorrupt))
	}
	for v := schema; v < t.Version; v++ {
		up, err := t.Upcast[v-1](raw)
		if err != nil {
			return nil, fail(fmt.Errorf("%w: upcast from version %d: %v", ErrCorrupt, v, err))
		}
		raw = up
	}
	p := t.New()
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, fail(fmt.Errorf("%w: %v", ErrCorrupt, err))
	}
	if v, ok := p.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, fail(fmt.Errorf("%w: %v", ErrCorrupt, err))
		}
	}
	return p, nil
}
