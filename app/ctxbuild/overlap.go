package ctxbuild

import "strings"

// trimOverlap takes off it, a run of lines, the lines at its start or its
// end that the target or an item of before (no header) holds in the same
// file. It reports whether any line is left.
func trimOverlap(it, target *Item, before []*Item) bool {
	for _, o := range append([]*Item{target}, before...) {
		if o == nil || o.Role == RoleHeader || o.Path != it.Path || o.StartLine <= 0 || it.StartLine <= 0 {
			continue
		}
		body, nl := strings.CutSuffix(it.full, "\n")
		lines := strings.Split(body, "\n")
		var drop, keep int // lines taken off the start, lines kept
		switch {
		case o.StartLine <= it.StartLine && it.StartLine <= o.EndLine:
			drop = o.EndLine - it.StartLine + 1
			keep = len(lines) - drop
		case o.StartLine <= it.EndLine && it.EndLine <= o.EndLine:
			keep = o.StartLine - it.StartLine
		default:
			continue
		}
		if keep <= 0 || drop+keep > len(lines) {
			return keep > 0 // held (holds says so first) or lines not as its range says
		}
		kept := strings.Join(lines[drop:drop+keep], "\n")
		if nl || drop+keep < len(lines) {
			kept += "\n"
		}
		it.start += len(strings.Join(lines[:drop], "\n")) + min(drop, 1)
		it.end = it.start + len(kept)
		it.full = kept
		it.StartLine, it.EndLine = it.StartLine+drop, it.StartLine+drop+keep-1
	}
	return true
}
