package db

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/rqlite/raft-boltdb/v2"
	"github.com/rqlite/rqlite/v8/store"
	"go.etcd.io/bbolt"
)

// A store's Raft configuration names its members by node ID, so the
// node-id file must keep naming this node. Lost or edited, the ID that
// Open used was a new one, missing from the configuration, which Open
// took for a node removed from its cluster and said so, even for a dir
// that never joined one. checkNodeIDFile and wrongNodeID say instead what
// happened to the file and which ID to write back.

// checkNodeIDFile returns a *usererr.Error when the node-id file of data
// dir dir is missing, empty or damaged while its store has a Raft log:
// a new ID would not be in the store's configuration.
func checkNodeIDFile(dir, raftDir string) error {
	path := filepath.Join(dir, nodeIDFile)
	b, err := os.ReadFile(path)
	var state string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		state = "missing"
	case err != nil:
		return fmt.Errorf("db: read node id: %w", err)
	case strings.TrimSpace(string(b)) == "":
		state = "empty"
	case !validNodeID(strings.TrimSpace(string(b))):
		state = "damaged"
	default:
		return nil
	}
	if info, err := os.Stat(filepath.Join(raftDir, raftDBFile)); err != nil || info.Size() == 0 {
		return nil // no log yet: a new store takes a new ID (loadNodeID checks it)
	}
	id := recordedNodeID(dir, raftDir)
	if state == "damaged" && id == strings.TrimSpace(string(b)) {
		return nil // an ID older builds took as it was; the store is under it
	}
	if id == "" {
		return &usererr.Error{Msg: fmt.Sprintf("the node-id file %s is %s: it names this data dir's node, which its store needs; put back the ID it held (aiex status showed it), or move %s aside to start a new, empty store",
			path, state, raftDir)}
	}
	return &usererr.Error{Msg: fmt.Sprintf("the node-id file %s is %s: it names this data dir's node, which its store records as %s; write that back (%s) and run the command again",
		path, state, showNodeID(id), writeNodeIDCommand(id, path))}
}

// badNodeID is the error for a node-id file that names an ID no Open could
// take again (checkNodeIDFile would call it damaged), unless the store in
// dir was already created under it by an older aiex, which took any text.
// It is a usage mistake: the file was written by hand.
func badNodeID(dir, id string) error {
	if validNodeID(id) || recordedNodeID(dir, filepath.Join(dir, storeDirName)) == id {
		return nil
	}
	path := filepath.Join(dir, nodeIDFile)
	return usererr.Usage("the node-id file %s holds %q, which cannot be a node ID: a node ID is printable characters without spaces (aiex makes HOST-a1b2c3); write one there, or delete the file for aiex to make one",
		path, id)
}

// showNodeID is id as one line of a message: quoted when it holds spaces
// or characters a terminal would not show.
func showNodeID(id string) string {
	if validNodeID(id) {
		return id
	}
	return strconv.Quote(id)
}

// writeNodeIDCommand is a shell command that writes id into the node-id
// file at path as loadNodeID reads it back. An ID that older builds took
// with spaces or unprintable characters goes through printf, with those
// characters as octal escapes, so that the command is one line that
// writes exactly those bytes.
func writeNodeIDCommand(id, path string) string {
	if validNodeID(id) {
		return "echo " + id + " > " + path
	}
	var f strings.Builder
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c == '\\':
			f.WriteString(`\\`)
		case c == '%':
			f.WriteString("%%")
		case c == '\'':
			f.WriteString(`'\''`)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&f, `\%03o`, c)
		default:
			f.WriteByte(c)
		}
	}
	return "printf '" + f.String() + `\n' > ` + path
}

// validNodeID reports whether id could be a node ID aiex wrote: printable,
// without spaces.
func validNodeID(id string) bool {
	if !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// wrongNodeID is the error for a solo Open whose node ID is not in its
// store's configuration, when the dir never joined a cluster (it has no
// cluster marker) and its configuration names one node: the node-id file
// was edited or replaced. "" when that is not the case.
func wrongNodeID(dir, id string, servers []string) string {
	if len(servers) != 1 {
		return ""
	}
	if _, err := os.Stat(filepath.Join(dir, clusterMarkerFile)); err == nil {
		return ""
	}
	path := filepath.Join(dir, nodeIDFile)
	return fmt.Sprintf("the node-id file %s names node %s, but this data dir's store belongs to node %s (it never joined a cluster): write that back (%s) and run the command again",
		path, showNodeID(id), showNodeID(servers[0]), writeNodeIDCommand(servers[0], path))
}

// recordedNodeID is the ID of the one node in the store's latest Raft
// configuration, from its log or else its latest snapshot; "" if it names
// several nodes (a cluster member: the address in the cluster marker
// tells which) or cannot be read.
func recordedNodeID(dir, raftDir string) string {
	cfg, ok := logConfiguration(filepath.Join(raftDir, raftDBFile))
	if !ok {
		cfg, ok = snapshotConfiguration(filepath.Join(raftDir, "rsnapshots"))
	}
	if !ok {
		return ""
	}
	if len(cfg.Servers) == 1 {
		return string(cfg.Servers[0].ID)
	}
	addr, err := os.ReadFile(filepath.Join(dir, clusterMarkerFile))
	if err != nil {
		return ""
	}
	for _, s := range cfg.Servers {
		if string(s.Address) == strings.TrimSpace(string(addr)) {
			return string(s.ID)
		}
	}
	return ""
}

// logConfiguration is the latest configuration entry in the Raft log at
// path.
func logConfiguration(path string) (cfg raft.Configuration, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	bs, err := raftboltdb.New(raftboltdb.Options{Path: path, BoltOptions: &bbolt.Options{ReadOnly: true, Timeout: time.Second}})
	if err != nil {
		return cfg, false
	}
	defer bs.Close()
	first, err1 := bs.FirstIndex()
	last, err2 := bs.LastIndex()
	if err1 != nil || err2 != nil || first == 0 {
		return cfg, false
	}
	var l raft.Log
	for i := last; i >= first; i-- {
		if bs.GetLog(i, &l) == nil && l.Type == raft.LogConfiguration {
			return raft.DecodeConfiguration(l.Data), true
		}
	}
	return cfg, false
}

// snapshotConfiguration is the configuration in the latest snapshot's
// meta.json under snapDir.
func snapshotConfiguration(snapDir string) (raft.Configuration, bool) {
	metas, _ := filepath.Glob(filepath.Join(snapDir, "*", "meta.json"))
	var latest raft.SnapshotMeta
	for _, path := range metas {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var m raft.SnapshotMeta
		if json.Unmarshal(b, &m) == nil && len(m.Configuration.Servers) > 0 && m.Index >= latest.Index {
			latest = m
		}
	}
	if len(latest.Configuration.Servers) > 0 {
		return latest.Configuration, true
	}
	return raft.Configuration{}, false
}

func serverIDs(servers []*store.Server) []string {
	ids := make([]string, len(servers))
	for i, s := range servers {
		ids[i] = s.ID
	}
	return ids
}
