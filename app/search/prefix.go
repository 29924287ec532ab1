package search

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// minPrefix is the shortest word looked for as the beginning of longer
// ones: shorter ones begin too many.
const minPrefix = 3

// completeBonus lifts the chunks whose name completes a symbol typed in
// part (TrimSpa: strings.TrimSpace; Enum.redu: Enum.reduce/3) above the
// other hits of its words, as much as the part typed is of the name's
// last part (completes): a name typed in full would have exactBonus, one
// typed in part has its share of it, the shortest completions most.
const completeBonus = exactBonus

// prefixes turns each group that no chunk holds in any form into the
// words that begin with it, when there are any: a name typed in part
// (TrimSpa, GenServ, start_chi) is looked for as the FTS5 prefix query
// "trimspa"*, which matches trimspace. Its chunk count, for the plan, is
// the sum of the counts of up to maxRange words of the vocabulary that
// begin with it, all read in one query. Only words of maxWords or fewer
// come here, so the compound SELECT stays under SQLite's limit.
//
// A symbol that names no chunk has its last word looked for as a
// beginning too (force, the group's index; -1 for none), though the index
// holds the word: a field chatReq or a variable sched holds the word that
// ChatReq and sched begin, and the names they complete (ChatRequest,
// Scheduler) were never looked for. After a qualifier, two letters are
// enough (Registry.Pu: Registry.Pull).
func (s *Searcher) prefixes(ctx context.Context, gs []group, force int) error {
	var sql []string
	var args []any
	var at []int // the group of each SELECT
	for i, g := range gs {
		short := minPrefix
		if i == force && i > 0 {
			short = 2
		}
		if g.df > 0 && i != force || utf8.RuneCountInString(g.term) < short {
			continue
		}
		// Every word that begins with the term sorts before the term
		// followed by the last code point.
		sql = append(sql, `SELECT ?, (SELECT coalesce(sum(doc), 0) FROM
			(SELECT doc FROM code_fts_terms WHERE term > ? AND term < ? LIMIT ?))`)
		args = append(args, len(at), g.term, g.term+"\U0010FFFF", maxRange)
		at = append(at, i)
	}
	if len(sql) == 0 {
		return nil
	}
	rows, err := s.cfg.Store.Query(ctx, strings.Join(sql, " UNION ALL "), args...)
	if err != nil {
		return fmt.Errorf("search: words beginning with the query's: %w", err)
	}
	for _, r := range rows.Values {
		i, _ := r[0].(int64)
		df, _ := r[1].(int64)
		if i < 0 || int(i) >= len(at) || df <= 0 {
			continue
		}
		g := &gs[at[i]]
		if g.df > 0 { // forced: the word itself, and those it begins
			df += g.df
		}
		g.prefix, g.forms, g.agents, g.df = true, nil, nil, df
	}
	return nil
}

// completes returns how much of a name (a chunk's) sym, a symbol typed in
// part, is, when it completes it: one of the name's parts, after a
// separator (. or ) ) or at its start, begins with sym in any letter case,
// and what follows sym is the rest of that last part, its arity (/3) or
// the piece of a split unit (#2) aside. The share is of that last part:
// TrimSpa is 7/9 of strings.TrimSpace and 7/12 of markdown.trimSpaceTab,
// Enum.redu 4/6 of Enum.reduce/3; half as much in another letter case
// than typed (ReadMIME: readMIMEHeader); GenServ does not complete
// GenServer.call/3 (0), GenServer does. 0 when sym completes no part.
func completes(name, sym string) float64 {
	if sym == "" {
		return 0
	}
	if i := strings.LastIndexByte(name, '#'); i > 0 {
		name = name[:i]
	}
	if i := strings.LastIndexByte(name, '/'); i > 0 && strings.Trim(name[i+1:], "0123456789") == "" {
		name = name[:i]
	}
	ln, ls := asciiLower(name), asciiLower(sym) // the same lengths as name and sym
	for i := 0; i <= len(ln)-len(ls); i++ {
		if i > 0 && ln[i-1] != '.' && ln[i-1] != ')' {
			continue
		}
		end := i + len(ls)
		if !strings.HasPrefix(ln[i:], ls) || strings.ContainsAny(ln[end:], ".)/") {
			continue
		}
		start := strings.LastIndexAny(ln[:end], ".)") + 1 // of the last part
		if start >= end {
			return 0 // sym ends with a separator: no part begun
		}
		share := float64(end-start) / float64(len(ln)-start)
		if name[i:end] != sym {
			share /= 2 // in another letter case than typed
		}
		return share
	}
	return 0
}

// asciiLower is s with its ASCII letters in lower case: byte for byte the
// same length, so indices into it are indices into s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
