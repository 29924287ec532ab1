package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/aiex-dev/aiex/app/events"
)

// StreamPrefix starts the name of every checkpoint's event stream:
// "checkpoint/<id>".
const StreamPrefix = "checkpoint/"

// Stream is the event stream of checkpoint id.
func Stream(id string) string { return StreamPrefix + id }

// Event type names, all at schema version 1; a change to a payload adds a
// version and an upcaster from the one before.
const (
	TypeCreated    = "checkpoint.created"
	TypeApplied    = "checkpoint.applied"
	TypeRolledBack = "checkpoint.rolled_back"
	TypeTagged     = "checkpoint.tagged"
	TypeUntagged   = "checkpoint.untagged"
	TypePruned     = "checkpoint.pruned"
)

// Types are the checkpoint event types, for the log's registry.
func Types() []events.Type {
	return []events.Type{
		{Name: TypeCreated, Version: 1, New: func() events.Payload { return new(Created) }},
		{Name: TypeApplied, Version: 1, New: func() events.Payload { return new(Applied) }},
		{Name: TypeRolledBack, Version: 1, New: func() events.Payload { return new(RolledBack) }},
		{Name: TypeTagged, Version: 1, New: func() events.Payload { return new(Tagged) }},
		{Name: TypeUntagged, Version: 1, New: func() events.Payload { return new(Untagged) }},
		{Name: TypePruned, Version: 1, New: func() events.Payload { return new(Pruned) }},
	}
}

// Created opens a checkpoint's stream (version 1) before any file is
// written: what each file was, and what it is about to become. Who made it
// and where are the event's actor and node.
type Created struct {
	Project   string        `json:"project"` // the project key
	Root      string        `json:"root"`    // the project's root on the node that made it
	Session   string        `json:"session,omitempty"`
	Turn      int64         `json:"turn,omitempty"`
	Reason    string        `json:"reason"`
	Label     string        `json:"label,omitempty"`
	RestoreOf string        `json:"restore_of,omitempty"`
	Files     []FileChanged `json:"files"` // sorted by path
	// Owner is the process that writes the files, "node/instance": while
	// it lives, a checkpoint still applying is being written; once it
	// has ended, the write was cut short. Older aiex recorded none.
	Owner string `json:"owner,omitempty"`
	// Dirs are the directories the write makes for its new files (those
	// missing when it was recorded), sorted: restoring the checkpoint of
	// an interrupted write removes those left empty. Older aiex recorded
	// none.
	Dirs []string `json:"dirs,omitempty"`
}

// FileChanged is one file of a checkpoint: its state before and after.
// A nil state means the file did not exist.
type FileChanged struct {
	Path   string     `json:"path"`
	Before *FileState `json:"before"`
	After  *FileState `json:"after"`
}

// FileState is a file's content (by blob hash), size and permission bits.
type FileState struct {
	Hash string      `json:"hash"`
	Size int64       `json:"size"`
	Mode fs.FileMode `json:"mode"`
}

// Applied records that every write of the checkpoint was done.
type Applied struct{}

// RolledBack records that a write failed: the files written before it
// were put back, except those listed in Left.
type RolledBack struct {
	Error string   `json:"error"`
	Left  []string `json:"left,omitempty"` // files still changed: the roll-back failed for them
}

// Tagged and Untagged give a checkpoint a name or take it away.
type (
	Tagged struct {
		Tag string `json:"tag"`
	}
	Untagged struct {
		Tag string `json:"tag"`
	}
)

// Pruned ends a checkpoint's stream: retention deleted it.
type Pruned struct{}

// EventType implements events.Payload.
func (*Created) EventType() string    { return TypeCreated }
func (*Applied) EventType() string    { return TypeApplied }
func (*RolledBack) EventType() string { return TypeRolledBack }
func (*Tagged) EventType() string     { return TypeTagged }
func (*Untagged) EventType() string   { return TypeUntagged }
func (*Pruned) EventType() string     { return TypePruned }

// Validate implements events.Validator.
func (p *Created) Validate() error {
	switch {
	case p.Project == "":
		return errors.New("no project")
	case p.Reason == "":
		return errors.New("no reason")
	case len(p.Files) == 0:
		return errors.New("no files")
	case p.Turn < 0:
		return fmt.Errorf("turn %d", p.Turn)
	}
	for _, d := range p.Dirs {
		if err := validPath(d); err != nil {
			return err
		}
	}
	for i, f := range p.Files {
		if err := validPath(f.Path); err != nil {
			return err
		}
		if i > 0 && p.Files[i-1].Path >= f.Path {
			return fmt.Errorf("files not sorted or repeated at %q", f.Path)
		}
		if f.Before == nil && f.After == nil {
			return fmt.Errorf("%s: neither before nor after", f.Path)
		}
		for _, st := range []*FileState{f.Before, f.After} {
			if st != nil && (!validHash(st.Hash) || st.Size < 0) {
				return fmt.Errorf("%s: bad state %q/%d", f.Path, st.Hash, st.Size)
			}
		}
	}
	return nil
}

func (p *Tagged) Validate() error   { return CheckTag(p.Tag) }
func (p *Untagged) Validate() error { return CheckTag(p.Tag) }

// validHash reports whether h is a SHA-256 in lower-case hex.
func validHash(h string) bool { return len(h) == 64 && isHex(h) }

// isHex reports whether s is lower-case hex digits, at least one.
func isHex(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

// isTag reports whether t has the characters and length of a tag: 1 to 64
// letters, digits, '.', '_' and '-', starting with a letter or digit. (The
// checks are written out rather than as regexps, which each process would
// compile at start-up: {0,63} alone made a thousand allocations.)
func isTag(t string) bool {
	if t == "" || len(t) > 64 {
		return false
	}
	for i, c := range []byte(t) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// CheckTag accepts names of letters, digits, ".", "_" and "-", starting
// with a letter or digit, of up to 64 characters — and not made of hex
// digits alone, which would read as an id, nor "last". It is exported so
// that a command can refuse a bad tag before it opens the store.
func CheckTag(t string) error {
	if !isTag(t) {
		return fmt.Errorf("tag %q: use letters, digits, '.', '_' and '-' (up to 64, starting with a letter or digit)", t)
	}
	if isHex(strings.ToLower(t)) {
		return fmt.Errorf("tag %q looks like a checkpoint id: put a letter other than a-f in it", t)
	}
	if t == RefLast {
		return fmt.Errorf("tag %q would read as the newest checkpoint: choose another name", t)
	}
	return nil
}

// validPath accepts a clean relative path (forward slashes) that stays
// inside the project.
func validPath(p string) error {
	if p == "" || p == "." || path.IsAbs(p) || path.Clean(p) != p || p == ".." || len(p) >= 3 && p[:3] == "../" {
		return fmt.Errorf("path %q: not a clean path relative to the project root", p)
	}
	if strings.IndexByte(p, 0) >= 0 {
		return fmt.Errorf("path %q has a NUL byte", p)
	}
	return nil
}
