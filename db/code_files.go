package db

import (
	"context"
	"fmt"
	"strings"
)

// CodeFilePathsIn returns the paths of the project's file rows that lie
// in dir itself, not in its subdirectories, in path order. dir is
// slash-separated and relative to the project's root ("store" or
// "store/"); "" or "." is the root. A run narrowed to one file reads
// them to find the files of its directory that are gone.
//
// The query reads a range of code_files' primary key, the rows of dir and
// its subdirectories, and never the rest of the project: ~0.4 ms for
// net/http's files in the Go standard library's index. The root's files
// are found among all the project's rows.
func (s *Store) CodeFilePathsIn(ctx context.Context, project int64, dir string) ([]string, error) {
	q, args := codeFilePathsInQuery(project, dir)
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("db: code files in %q: %w", dir, err)
	}
	out := make([]string, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, asString(r[0]))
	}
	return out, nil
}

// codeFilePathsInQuery returns CodeFilePathsIn's query and its arguments.
func codeFilePathsInQuery(project int64, dir string) (string, []any) {
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" || dir == "." {
		return `SELECT path FROM code_files WHERE project = ? AND instr(path, '/') = 0 ORDER BY path`, []any{project}
	}
	// The paths below dir/ are those after it and before dir0, as '0'
	// follows '/' (the comparison is bytewise). length and substr count
	// characters alike, so the rest of a path after dir/ is cut right
	// whatever the characters in dir.
	return `SELECT path FROM code_files WHERE project = ? AND path > ? AND path < ?
		AND instr(substr(path, length(?) + 1), '/') = 0 ORDER BY path`,
		[]any{project, dir + "/", dir + "0", dir + "/"}
}
