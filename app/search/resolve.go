package search

import (
	"context"
	"go/token"
	"slices"
	"strconv"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// Named returns the chunks of a project that sym names, as a user types a
// symbol: the name in full (http.(*Server).Serve, MyApp.Accounts.get_user/1),
// the first piece of a unit the chunker split in pieces (a type of 8 KiB is
// p.Big#1, p.Big#2, …: p.Big finds p.Big#1), a Go method as go doc names it
// (http.Server.Serve for http.(*Server).Serve), then the end of a name
// (Serve, Accounts.get_user/1, a name a Go const/var group declares) up to
// limit, shortest first, and an Elixir function of fewer arguments reached
// through default arguments (String.split/2). The first of these that
// finds any chunk gives the answer.
func Named(ctx context.Context, st *db.Store, project int64, sym string, limit int) ([]db.CodeChunk, error) {
	names := []string{sym}
	if m := PointerMethod(sym); m != "" {
		names = append(names, m)
	}
	for _, n := range names {
		for _, full := range []string{n, chunk.PieceName(n, 1)} {
			cs, err := st.CodeChunksNamed(ctx, project, full)
			// A code chunk inside a module is named after the module:
			// the name is not its own.
			cs = slices.DeleteFunc(cs, func(c db.CodeChunk) bool { return c.Kind == chunk.KindCode && c.Parent != "" })
			if err != nil || len(cs) > 0 {
				return cs, err
			}
		}
	}
	for _, n := range names {
		for _, end := range []string{n, chunk.PieceName(n, 1)} {
			cs, err := st.CodeChunksNamedLike(ctx, project, end, limit)
			if err != nil || len(cs) > 0 {
				return cs, err
			}
		}
	}
	if i := strings.LastIndexByte(sym, '/'); i > 0 && sym[i+1:] != "" && strings.Trim(sym[i+1:], "0123456789") == "" {
		// An Elixir function of fewer arguments, defined by defaults.
		if k, err := strconv.Atoi(sym[i+1:]); err == nil {
			return st.CodeChunksCallableAs(ctx, project, sym[:i], k)
		}
	}
	return nil, nil
}

// PointerMethod returns the name the chunker gives a method with a pointer
// receiver that sym names as go doc does, T.M or pkg.T.M, both parts Go
// identifiers: (*T).M or pkg.(*T).M. A method with a value receiver is
// named pkg.T.M already. "" if sym is not of that form.
func PointerMethod(sym string) string {
	parts := strings.Split(sym, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return ""
	}
	for _, p := range parts {
		if !token.IsIdentifier(p) {
			return ""
		}
	}
	n := len(parts)
	parts[n-2] = "(*" + parts[n-2] + ")"
	return strings.Join(parts, ".")
}
