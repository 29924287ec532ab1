package search

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// TestSearchThinLists: a big struct whose fields' comments say, among
// them, nearly every word of a question about the node (rqlite's Config:
// "Queued Writes queue batch size", "Advertised Raft communication
// address") is no answer to how the code does the thing: the code doing
// it comes first, the struct after it. The struct comes first when the
// query names it or asks about configuration, flags or options.
func TestSearchThinLists(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, listFixture, index.Config{})
	sr := New(Config{Store: s})
	search := func(query string) []Hit {
		t.Helper()
		res, err := sr.Search(ctx, p.ID, query, 10)
		if err != nil {
			t.Fatal(err)
		}
		return res.Hits
	}
	queue := func(name string) bool { return strings.HasPrefix(name, "queue.") }
	for _, tt := range []struct {
		query string
		doer  func(name string) bool // what must come first
	}{
		{"how are writes queued and batched", queue},
		{"why are writes queued", queue},
		{"how does the node decide which address to advertise", func(name string) bool {
			return name == "main.(*Config).Validate"
		}},
	} {
		hits := search(tt.query)
		got := names(hits)
		if len(hits) == 0 || !tt.doer(got[0]) {
			t.Errorf("%q: hits %q; want the code doing it first", tt.query, got)
		}
		if i := slices.Index(got, "main.Config"); i >= 0 && i < 2 {
			t.Errorf("%q: hits %q; want main.Config after the code doing it", tt.query, got)
		}
	}
	for _, q := range []string{
		"which config options set the advertised raft address",
		"raft timeout flags",
		"main.Config",
		"what does WriteQueueBatchSz set",
	} {
		if hits := search(q); len(hits) == 0 || hits[0].Name != "main.Config" {
			t.Errorf("%q: hits %q; want main.Config first", q, names(hits))
		}
	}
}

// TestSearchQueuedFindsQueue: "queued" is a form of queue and queues,
// though the stemmer makes it queu and them queue.
func TestSearchQueuedFindsQueue(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, listFixture, index.Config{})
	sr := New(Config{Store: s})
	res, err := sr.Search(ctx, p.ID, "how are writes queued and batched", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Forms["queued"], "queue") || !slices.Contains(res.Forms["queued"], "queues") {
		t.Errorf("forms of queued: %q; want queue and queues among them", res.Forms["queued"])
	}
	got := names(res.Hits)
	if !slices.ContainsFunc(got[:min(3, len(got))], func(n string) bool { return strings.HasPrefix(n, "queue.") }) {
		t.Errorf("hits %q; want the queue among the first 3", got)
	}
}

// TestThinList: a list's match is thin when its words come from two of
// its items or more and not from its own doc: the words of the question
// are in the fields, and the struct is about something else.
func TestThinList(t *testing.T) {
	g := func(forms ...string) group { return group{term: forms[0], forms: forms, df: 1} }
	writes, queued, batched := g("writes", "write"), g("queued", "queue", "queues"), g("batched", "batch", "batching")
	config := `// Config represents all configuration options.
type Config struct {
	// Path to file for CPU profiling information
	CPUProfile string
	// Queued Writes queue capacity
	WriteQueueCap int
	// Queued Writes queue batch size
	WriteQueueBatchSz int

	// Use a transaction when processing a queued write
	WriteQueueTx bool // off by default
	// Path to file for memory profiling information
	MemProfile string
}`
	queueType := `// Queue is a batching queue with a timeout.
type Queue[T any] struct {
	maxSize   int
	batchSize int
	// write is where batches go
	write chan []T
	timeout   time.Duration
}`
	oneField := `// Options are the node's options.
type Options struct {
	// Path to file for CPU profiling information
	CPUProfile string
	// Queued writes are sent in batches
	Queued bool
	// Path to file for memory profiling information
	MemProfile string
}`
	piece := `	// Queued Writes queue batch size
	WriteQueueBatchSz int
	// Queued Writes queue timeout
	WriteQueueTimeout time.Duration
}`
	for _, tt := range []struct {
		name string
		text string
		gs   []group
		runs map[string]bool
		thin bool
	}{
		{"fields say the words", config, []group{writes, queued, batched}, nil, true},
		{"one word, in two fields", config, []group{queued}, nil, true},
		{"the doc says them", queueType, []group{writes, queued, batched}, nil, false},
		{"one field says them", oneField, []group{writes, queued, batched}, nil, false},
		{"a piece of a struct split in several", piece, []group{writes, queued, batched}, nil, true},
		{"no field says them", config, []group{g("snapshot")}, nil, false},
		{"a field named", config, []group{writes, queued, batched}, map[string]bool{"writequeuetx": true}, false},
	} {
		if got := thinList([]byte(tt.text), tt.gs, tt.runs); got != tt.thin {
			t.Errorf("%s: thin %v, want %v", tt.name, got, tt.thin)
		}
	}
}

// likeEmbedder stands for a model that finds the chunks holding like as
// like the query as can be, and every other chunk less so.
type likeEmbedder struct{ query, like string }

func (e likeEmbedder) Embed(_ context.Context, _ string, input []string) ([][]float32, error) {
	out := make([][]float32, len(input))
	for i, in := range input {
		out[i] = []float32{1, 1}
		if in == e.query || strings.Contains(in, e.like) {
			out[i] = []float32{1, 0}
		}
	}
	return out, nil
}

// TestSearchThinListsEmbedded: a list spread thin weighs less in what it
// is like too. Its embedding is of its fields, which say everything: a
// model finding Config the most like a question about the node (its
// fields say node 29 times) must not put it above the code doing what
// the question asks.
func TestSearchThinListsEmbedded(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, listFixture, index.Config{})
	query := "how does the node decide which address to advertise"
	sr := New(Config{Store: s, Embedder: likeEmbedder{query, "type Config struct"}, EmbedModel: "like"})
	if _, err := sr.Embed(ctx, p, "n1", nil); err != nil {
		t.Fatal(err)
	}
	res, err := sr.Search(ctx, p.ID, query, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Embeddings {
		t.Fatal("embeddings not used")
	}
	if got := names(res.Hits); len(got) == 0 || got[0] != "main.(*Config).Validate" {
		t.Errorf("hits %q; want main.(*Config).Validate first", got)
	}
}

// TestSearchThinFuncs: a big function that is a list of lines with a
// string each (rqlite's main.Forge registers every flag of the node with
// its help text) says every word of a question about the node in them,
// and is no answer to how the code does it; it is when the question asks
// about flags.
func TestSearchThinFuncs(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, forgeFixture, index.Config{})
	sr := New(Config{Store: s})
	for _, tt := range []struct {
		query string
		first func(name string) bool
	}{
		{"how are writes queued and batched", func(name string) bool { return strings.HasPrefix(name, "queue.") }},
		{"how does the node decide which address to advertise", func(name string) bool { return name == "main.(*Config).Validate" }},
		{"which flags set the raft advertised address", func(name string) bool { return name == "main.Forge" || name == "main.Config" }},
	} {
		res, err := sr.Search(ctx, p.ID, tt.query, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := names(res.Hits)
		if len(got) == 0 || !tt.first(got[0]) {
			t.Errorf("%q: hits %q; want the code doing it first", tt.query, places(res.Hits))
		}
		if i := slices.Index(got, "main.Forge"); !tt.first("main.Forge") && i >= 0 && i < 3 {
			t.Errorf("%q: hits %q; want main.Forge after the first 3", tt.query, places(res.Hits))
		}
	}
}

// TestThinFunc: a function is a list when most of its lines hold a string
// (flags with their help texts), and its match is thin when its words
// come from two of those lines or more and not from its doc.
func TestThinFunc(t *testing.T) {
	g := func(forms ...string) group { return group{term: forms[0], forms: forms, df: 1} }
	writes, queued, batched := g("writes", "write"), g("queued", "queue", "queues"), g("batched", "batch", "batching")
	forge := forgeFixture["cmd/rqlited/forge.go"]
	validate := listFixture["cmd/rqlited/flags.go"]
	saysDoc := strings.Replace(forge, "// Forge sets up and parses command-line flags.",
		"// Forge sets up the flags of queued writes and their batches.", 1)
	for _, tt := range []struct {
		name string
		text string
		gs   []group
		runs map[string]bool
		thin bool
	}{
		{"help texts say the words", forge, []group{writes, queued, batched}, nil, true},
		{"few lines hold a string", validate, []group{g("advertised"), g("address", "addresses")}, nil, false},
		{"the doc says them", saysDoc, []group{writes, queued, batched}, nil, false},
		{"one line says them", forge, []group{g("stepdown")}, nil, false},
		{"a name on a line is the query's", forge, []group{writes, queued, batched}, map[string]bool{"writequeuebatchsz": true}, false},
		{"a word of a help text is the query's", forge, []group{writes, queued, batched}, map[string]bool{"queued": true}, true},
	} {
		if got := thinFunc([]byte(tt.text), tt.gs, tt.runs); got != tt.thin {
			t.Errorf("%s: thin %v, want %v", tt.name, got, tt.thin)
		}
	}
}
