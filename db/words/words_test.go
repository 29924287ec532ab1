package words_test

import (
	"context"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/db/words"
)

// tokenizer is an FTS5 table with code_fts's tokenizer and a vocabulary
// of its token instances, to see how SQLite itself cuts and folds text.
func tokenizer(t *testing.T) *db.Store {
	t.Helper()
	s := dbtest.Open(t)
	if _, err := s.Execute(context.Background(),
		db.Stmt(`CREATE VIRTUAL TABLE tok USING fts5(x, tokenize = "unicode61 tokenchars '_'")`),
		db.Stmt(`CREATE VIRTUAL TABLE tok_i USING fts5vocab(tok, instance)`)); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWordsAreTokens: every word Scan cuts is one token of code_fts's
// tokenizer, and Fold folds it as the tokenizer does. It checks each
// character that continues a word, in all of Unicode, between two ASCII
// letters. (Those that start one are letters or private use, never the
// marks the tokenizer keeps only inside a token, so they start one there
// too.) The characters Scan takes for separators need no check: a word
// cut finer than the tokenizer would cut it is still one token.
func TestWordsAreTokens(t *testing.T) {
	ctx := context.Background()
	s := tokenizer(t)
	var ranges [][2]rune // of characters words.Continues takes
	count := 0
	for r := rune(0x80); r <= utf8.MaxRune; r++ {
		if !words.Continues(r) {
			continue
		}
		count++
		if n := len(ranges); n > 0 && ranges[n-1][1] == r-1 {
			ranges[n-1][1] = r
		} else {
			ranges = append(ranges, [2]rune{r, r})
		}
	}
	js, _ := json.Marshal(ranges)
	if _, err := s.Execute(ctx, db.Stmt(`WITH RECURSIVE c(cp, hi) AS (
			SELECT value->>0, value->>1 FROM json_each(?)
			UNION ALL SELECT cp + 1, hi FROM c WHERE cp < hi)
		INSERT INTO tok(rowid, x) SELECT cp, 'x' || char(cp) || 'y' FROM c`, string(js))); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Query(ctx, `SELECT doc, group_concat(term, ' ') FROM tok_i GROUP BY doc`)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, row := range rows.Values {
		r := rune(row[0].(int64))
		got := row[1].(string)
		text := "x" + string(r) + "y"
		var cut []string
		words.Scan([]byte(text), func(w []byte) { cut = append(cut, string(w)) })
		if len(cut) != 1 || cut[0] != text {
			t.Fatalf("Scan(%q) = %q", text, cut)
		}
		if want := words.Fold(text); got != want {
			bad++
			if bad < 20 {
				t.Errorf("U+%04X %q: tokens %q, fold %q", r, text, got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d differ", bad, len(rows.Values))
	}
	if len(rows.Values) != count {
		t.Errorf("%d characters, %d rows", count, len(rows.Values))
	}
}
