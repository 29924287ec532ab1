package ctxbuild

import (
	"fmt"
	"strings"
)

// FormCut is code shown with parts of it left out, each run of them a
// "# …" or "// …" line, the reason saying what: the header of the
// target's Elixir module with its @moduledoc cut to its first paragraph,
// its @typedoc text or its @type definitions left out (headerSteps); a Go
// const or var group cut to the specs declaring the names the target uses
// (cutGroupFor).
const FormCut = "cut"

// step is one of the forms between a candidate's whole form and its
// signature, largest first: the target's module header's (headerSteps).
type step struct {
	form, code, reason string
	cost               int
}

// headerSteps are the forms of it, the header of the target's Elixir
// module, from its whole form down to (not including) its signature, the
// header cut to what the target uses (elixirHeaderCut): whole (its
// @moduledoc within its share of the budget: fitModuledoc, called first),
// then without its @typedoc text, then without any doc text (form
// `no-doc`), then with each @type, @typep and @opaque cut to its name
// (`@type result :: …`). Its use, alias, import and require lines and its
// other attributes stay in each. A form no smaller than the one before is
// left out. Nil for a header without doc text or types to leave out.
func headerSteps(it *Item, cost func(string) int) []step {
	if it.Role != RoleHeader || it.cut == "" || it.cut == it.full || it.id == goHeaderID {
		return nil // a Go header, or an enclosing module's lines
	}
	form, reason := it.whole()
	if it.noDoc != "" && hasDoc(it.full) {
		form = FormCut // its doc's first paragraph or its @typedoc text is left: cut, not no-doc
	}
	steps := []step{{form: form, code: it.full, reason: reason, cost: it.cost}}
	add := func(form, code, why string) {
		last := steps[len(steps)-1]
		if c := cost(code); c < last.cost {
			steps = append(steps, step{form: form, code: code, cost: c, reason: fmt.Sprintf("%d tokens in full; %s", it.cost, why)})
		}
	}
	typedocs := elixirHeaderLess(it.full, false, false)
	why := "its @typedoc text left out"
	if it.noDoc != "" {
		why = it.noDoc + ", " + why
	}
	add(FormCut, typedocs, why)
	noDoc := elixirHeaderLess(it.full, true, false)
	add(FormNoDoc, noDoc, "its doc text left out (@moduledoc, @typedoc)")
	add(FormCut, elixirHeaderLess(it.full, true, true), "its doc text left out and its @type definitions cut to their names")
	if len(steps) == 1 {
		return nil
	}
	return steps
}

// elixirHeaderLess is header, an Elixir module's header, without its
// @typedoc expressions, and with moduledoc also without its @moduledoc and
// @doc ones (each run of those left out a "# …" line), and with heads its
// @type, @typep and @opaque definitions cut to their names
// (`@type result :: …`). The lines before the defmodule line, heredocs
// of other attributes and everything else stay as they are.
func elixirHeaderLess(header string, moduledoc, heads bool) string {
	lines := strings.Split(header, "\n")
	var out []string
	var doc docLines
	i := 0
	for ; i < len(lines); i++ { // up to the defmodule line
		out = append(out, lines[i])
		if t := strings.TrimSpace(lines[i]); !doc.is(t) && t != "" {
			i++
			break
		}
	}
	mark := func(pad string) {
		n := len(out)
		for n > 0 && strings.TrimSpace(out[n-1]) == "" {
			n--
		}
		if n > 0 && strings.TrimSpace(out[n-1]) == "# …" {
			out = out[:n] // the run goes on
			return
		}
		out = append(out, pad+"# …")
	}
	for i < len(lines) {
		l := lines[i]
		t := strings.TrimSpace(l)
		pad := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		end := exprEnd(lines, i)
		switch kw := attrName(t); {
		case kw == "typedoc" || moduledoc && (kw == "moduledoc" || kw == "doc"):
			mark(pad)
			i = end + 1
			continue
		case heads && (kw == "type" || kw == "typep" || kw == "opaque"):
			// The expression: this line and those after it indented more.
			for end+1 < len(lines) {
				n := lines[end+1]
				nt := strings.TrimSpace(n)
				if nt == "" || len(n)-len(strings.TrimLeft(n, " \t")) <= len(pad) && !strings.ContainsAny(nt[:1], "|)]}") {
					break
				}
				end++
			}
			if head, _, ok := strings.Cut(t, "::"); ok && (end > i || strings.TrimSpace(t[len(head)+2:]) != "…") {
				out = append(out, pad+strings.TrimSpace(head)+" :: …")
				i = end + 1
				continue
			}
		}
		out = append(out, lines[i:end+1]...)
		i = end + 1
	}
	return strings.Join(out, "\n")
}

// attrName is the name of the module attribute t, a trimmed line, starts
// with (`@typedoc """` is "typedoc"); "" when it starts with none.
func attrName(t string) string {
	name, ok := strings.CutPrefix(t, "@")
	if !ok {
		return ""
	}
	n := strings.IndexFunc(name, func(r rune) bool { return r >= 0x80 || !isIdent(byte(r)) })
	if n < 0 {
		n = len(name)
	}
	return name[:n]
}

// exprEnd is the index of the last line of a string that starts on
// lines[i], when it does: a heredoc's closing line, or the line closing a
// quoted string that runs over lines; else i.
func exprEnd(lines []string, i int) int {
	quotes := func(t string) int { return strings.Count(t, `"""`) + strings.Count(t, "'''") }
	t := strings.TrimSpace(lines[i])
	if quotes(t)%2 == 1 {
		for j := i + 1; j < len(lines); j++ {
			if quotes(strings.TrimSpace(lines[j]))%2 == 1 {
				return j
			}
		}
		return len(lines) - 1
	}
	if quotes(t) > 0 {
		return i
	}
	j := i
	for open := strings.Count(t, `"`) - strings.Count(t, `\"`); open%2 == 1 && j+1 < len(lines); {
		j++
		n := strings.TrimSpace(lines[j])
		open += strings.Count(n, `"`) - strings.Count(n, `\"`)
	}
	return j
}

// neighbourFit is how the candidates after cands[i] that are not search
// hits (the target's neighbours), fitted greedily into left as fit does,
// fare: how many go reduced and how many are dropped.
func neighbourFit(cands []*Item, i, left int) (reduced, dropped int) {
	for _, n := range cands[i+1:] {
		if n.Role == RoleHit || n.further != "" || n.sigOnly {
			continue
		}
		switch {
		case n.cost <= left && n.mayBeWhole() && !n.wholeLast:
			left -= n.cost
		case n.sig != "" && n.sigCost <= left:
			left -= n.sigCost
			reduced++
		case !n.mayBeWhole() && n.sig == "":
		default:
			dropped++
		}
	}
	return reduced, dropped
}

// pickStep picks the form of cands[i], the target's module header with
// steps (headerSteps), within left: the largest that costs none of the
// target's neighbours after it its place — no more of them dropped than
// with its signature — and, with doc text in it, none its full form — no
// more of them reduced than without any doc text. The header's doc is
// prose about the module, its types are code the target's may name, its
// use, alias and import lines are what its code calls through: in a
// 4,096-token window Enumerable's header, mostly @typedoc prose, took
// 1,158 tokens and left every implementation and caller of
// Enumerable.member?/2 out. It returns the index of the step; -1 when no
// step qualifies (the signature, or nothing, is left).
func pickStep(cands []*Item, i int, steps []step, left int) int {
	it := cands[i]
	floor := left
	if it.sig != "" && it.sigCost <= left {
		floor = left - it.sigCost
	}
	_, dropMin := neighbourFit(cands, i, floor)
	docFreeReduced := -1 // the neighbours reduced with the largest form without doc text
	for _, s := range steps {
		if !hasDoc(s.code) {
			if s.cost <= left {
				docFreeReduced, _ = neighbourFit(cands, i, left-s.cost)
			}
			break
		}
	}
	pick := -1
	for k := len(steps) - 1; k >= 0; k-- {
		s := steps[k]
		if s.cost > left {
			break
		}
		reduced, dropped := neighbourFit(cands, i, left-s.cost)
		if dropped > dropMin || hasDoc(s.code) && docFreeReduced >= 0 && reduced > docFreeReduced {
			break
		}
		pick = k
	}
	return pick
}

// stepUp gives each candidate with steps (the target's module header) that
// went in a smaller form the largest of its steps that left — the room no
// other candidate could use once each went in its form — holds, and
// returns what is left then.
func stepUp(cands []*Item, ladders map[*Item][]step, left int) int {
	for _, it := range cands {
		st := ladders[it]
		if st == nil || it.Form == "" {
			continue
		}
		for _, s := range st {
			if s.cost <= it.Tokens {
				break // no larger than the form it has
			}
			if s.cost-it.Tokens <= left {
				left -= s.cost - it.Tokens
				it.Form, it.Code, it.Tokens, it.Reason = s.form, s.code, s.cost, s.reason
				break
			}
		}
	}
	return left
}

// hasDoc reports whether code, an Elixir module header, holds doc text:
// a @moduledoc or @typedoc.
func hasDoc(code string) bool {
	return strings.Contains(code, "@moduledoc") || strings.Contains(code, "@typedoc")
}
