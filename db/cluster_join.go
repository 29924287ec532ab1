package db

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/rqlite/rqlite/v8/store"
)

// ErrUsedAlone is matched (errors.Is) by CheckJoin's error for a data dir
// whose store was used alone (by one-shot commands, never by a node):
// joining it to a cluster would discard its data.
var ErrUsedAlone = errors.New("store used alone")

// JoinFile is the file, in a data dir, that records the peers its node
// joins through at its next start (aiex cluster join writes it), one a
// line.
const JoinFile = "join"

// SaveJoin records peers in data dir dir's JoinFile, making the dir.
func SaveJoin(dir string, peers []string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("db: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, JoinFile), []byte(strings.Join(peers, "\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("db: %w", err)
	}
	return nil
}

// SavedJoin returns the peers recorded in data dir dir's JoinFile, if any.
func SavedJoin(dir string) []string {
	b, err := os.ReadFile(filepath.Join(dir, JoinFile))
	if err != nil {
		return nil
	}
	return strings.Fields(string(b))
}

// waitingToJoin refuses to open, alone, data dir dir that has no store yet
// and peers recorded to join through: a store made now would be one used
// alone, which can then never join the cluster meant. Its node makes the
// store, by joining; commands run on the dir go through that node.
func waitingToJoin(dir, raftDir string) error {
	peers := SavedJoin(dir)
	if len(peers) == 0 || !store.IsNewNode(raftDir) {
		return nil
	}
	return &usererr.Error{Err: &ClusterMemberError{Dir: dir, Joining: peers},
		Msg: fmt.Sprintf("data dir %s is waiting to join a cluster through %s (aiex cluster join recorded it): start its node first (aiex --data-dir %s node run --listen ADDR --cluster-key FILE, or --tsnet NAME), then run this command; or delete %s to use the data dir alone",
			dir, strings.Join(peers, ", "), dir, filepath.Join(dir, JoinFile))}
}

// CheckJoin says whether the stopped node of data dir dir could join a
// cluster through Join peers (aiex cluster join records them for its next
// start), before anyone is told it will: a dir that is a cluster of its
// own, or was used alone, or is a member already, cannot. A new or missing
// dir can, and so can a node that was removed from its cluster. The dir
// must not be in use: CheckJoin locks it while it reads the configuration.
func CheckJoin(ctx context.Context, dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	raftDir := filepath.Join(dir, storeDirName)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) || store.IsNewNode(raftDir) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, clusterMarkerFile)); err != nil {
		return usererr.Wrap(ErrUsedAlone, "data dir %s holds a store used alone, so it cannot join a cluster: start it with aiex node run and no --join to make it the first node of a new cluster, or give the joining node a new data dir", dir)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer lock.unlock()
	b, err := os.ReadFile(filepath.Join(dir, nodeIDFile))
	id := strings.TrimSpace(string(b))
	if err != nil || id == "" {
		return nil // no node ID: nothing that Open would keep
	}
	servers, err := raftServers(ctx, raftDir, id, slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("read the cluster configuration in %s: %w", raftDir, err)
	}
	switch {
	case !slices.ContainsFunc(servers, func(n *store.Server) bool { return n.ID == id }):
		return nil // removed: it may rejoin
	case len(servers) == 1:
		return usererr.New("data dir %s is a cluster of its own (node %s alone), so it cannot join another: give the joining node a new data dir (aiex --data-dir NEW cluster join PEER)", dir, id)
	}
	// Its copy of the configuration lists it: a member, or removed while
	// it was down (it learns that when it starts, and rejoins through
	// --join then).
	return usererr.New("data dir %s is already a member of a cluster of %d nodes, so it cannot join another; start it with aiex node run (if its cluster removed it while it was down, add --join PEER and it rejoins)", dir, len(servers))
}

// RecordedNodeID returns the node ID recorded in data dir dir, without
// creating one: "" for a new dir. A node about to join asks its peers
// whether a running member has it (a data dir, or its node-id file,
// copied from another node).
func RecordedNodeID(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, nodeIDFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// notMesh reports whether a dial failed because the peer answered in
// another protocol than the mesh's TLS: no aiex node listens there (an
// HTTP server such as Ollama's answers the handshake with plain text).
func notMesh(err error) bool {
	var rh tls.RecordHeaderError
	return errors.As(err, &rh) || strings.Contains(err.Error(), "first record does not look like a TLS handshake")
}

// noLeaderThere is peerFailure's word for a peer that answered but could
// not admit this node yet, or whose failure says nothing more precise.
const noLeaderThere = "no leader there"

// peerFailure says in plain words why a peer did not answer or admit this
// node: rqlite's client and the layers under it stack every operation's
// name onto the cause ("pool get: dial …: mesh: dial …: handshake: …").
func peerFailure(err error) string {
	var dns *net.DNSError
	var ne net.Error
	msg := err.Error()
	switch {
	case keyMismatch(err):
		return "refused: another cluster key"
	case notMesh(err):
		return "not an aiex node (another program answers there, not in the mesh's TLS)"
	case strings.Contains(msg, droppedMarker):
		i := strings.Index(msg, droppedMarker)
		return msg[max(strings.LastIndex(msg[:i], "node "), 0):] // the peer's own sentence
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing listening"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "unreachable"
	case errors.As(err, &dns):
		return "unknown host " + dns.Name
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		strings.HasSuffix(msg, "connection reset by peer"), strings.HasSuffix(msg, "broken pipe"):
		// A peer whose policy refuses this node drops the connection
		// once it knows who dialled: before or after the request was
		// sent, so read or written, and on a dial of the cluster's
		// layer as well, which would otherwise read as no leader. A
		// tailnet's connections are the netstack's, whose errors are
		// text, not the kernel's numbers.
		return "closed the connection (it may not allow this node)"
	case classify(err) == retry, msg == "no leader", strings.HasSuffix(msg, ": no leader"):
		return noLeaderThere
	}
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}
