package search

import "github.com/aiex-dev/aiex/app/chunk"

// A question about how code does a thing finds the thin wrappers first:
// "how are SQL statements executed against the database?" on rqlite
// (v8.43.4) listed db.(*DB).ExecuteStringStmt, ExecuteStringStmtWithTimeout
// ("executes a single query that modifies the database"),
// system.(*Node).Execute and other methods of a few lines, whose bm25 a
// short body saying the words makes good, and not the method their calls
// end in, db.(*DB).executeWithConn (20th), which runs the statements and
// says few of the words. The wrappers point at it: a function that two
// hits or more call (not tests, and thin ones: thinTokens), directly or
// through one other hit, gets weightCalled times the lexical scores of
// those hits summed, over fullCallers times the best lexical score (at
// most 1). It is a centrality among the hits, where central's PageRank
// is the whole project's. A question that names its subject (a hit's
// name is the whole question, or it mentions a symbol: http.Serve for
// "http serve", which calls (*Server).Serve) gets none: what it names is
// what it asks about.
const weightCalled = 0.3

// minCallers is how many of the hits, tests left out, must reach a
// function for it to be called by them.
const minCallers = 2

// thinTokens is how long a wrapper is at most: bm25 ranks a short chunk
// saying the words high, and a short one calling a hit passes the
// question on to it (db.(*DB).ExecuteStringStmt: 105 tokens, Execute:
// 154). A long one does more: OptionParser.parse/2 (2,431 tokens) and
// parse_head/2 (332) call do_parse/6, and lifted it above URI.parse/1
// for "how are uris parsed".
const thinTokens = 256

// fullCallers is how many hits as good as the best must reach a function
// for its Called part to be whole.
const fullCallers = 2

// called sets the hits' Called part from lex, each hit's lexical score
// without the bonus of a name typed or mentioned (a symbol named is what
// was asked for, not what it calls). Fillers neither call nor are
// called: the first hits must not depend on the number asked for.
func called(hits []*Hit, lex []float64) {
	at := make(map[string][]int, len(hits))
	for i, h := range hits {
		if !h.filler && callable(h.Kind) {
			at[h.Name] = append(at[h.Name], i)
		}
	}
	if len(at) == 0 {
		return
	}
	// callees[i]: the hits hit i calls, itself left out.
	callees := make([][]int, len(hits))
	for i, h := range hits {
		if h.filler {
			continue
		}
		for _, r := range h.Refs {
			for _, j := range at[r] {
				if j != i {
					callees[i] = append(callees[i], j)
				}
			}
		}
	}
	reach := make([]float64, len(hits))
	callers := make([]int, len(hits))
	seen := make([]int, len(hits)) // the caller (+1) that last reached each hit
	for i, h := range hits {
		// A test calls what it tests: that says the code is tested, not
		// that it does the thing. A long function calling a hit does
		// more than pass the question on.
		if len(callees[i]) == 0 || lex[i] <= 0 || isTest(h.CodeChunk) || h.Tokens > thinTokens {
			continue
		}
		reached := func(j int) {
			if j != i && seen[j] != i+1 {
				seen[j] = i + 1
				reach[j] += lex[i]
				callers[j]++
			}
		}
		for _, j := range callees[i] {
			reached(j)
			for _, k := range callees[j] {
				reached(k)
			}
		}
	}
	// One caller is a chain of calls, not the place where the hits'
	// calls meet: http.NewNodesFromServers, holding "node", lifted the
	// http.NewNodeFromServer it calls to second for "how does a node
	// restore its database from a snapshot?".
	for j, n := range callers {
		if n < minCallers {
			reach[j] = 0
		}
	}
	// Scaled by what fullCallers hits as good as the best would pass on:
	// the hits that call each other may hold few of the words ("how are
	// uris parsed" has OptionParser.parse/2 and parse_head/2 among its
	// hits, by their "parse", both calling do_parse/6), and what they
	// pass on is as little.
	top := 0.0
	for i, h := range hits {
		if !h.filler {
			top = max(top, lex[i])
		}
	}
	if top == 0 {
		return
	}
	for i, h := range hits {
		h.Called = min(1, reach[i]/(fullCallers*top))
	}
}

// callable reports the kinds of chunk a reference calls: the question is
// about code doing the thing, and a type the hits name (db.DB in every
// method's receiver) does nothing.
func callable(kind string) bool {
	switch kind {
	case chunk.KindFunction, chunk.KindMethod, chunk.KindMacro, chunk.KindDelegate:
		return true
	}
	return false
}
