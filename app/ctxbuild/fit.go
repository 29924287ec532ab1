package ctxbuild

import (
	"errors"
	"fmt"
	"math"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/prompt"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
)

// minTruncated is the least room worth filling with the start of a chunk
// cut short: less shows too little to help.
const minTruncated = 96

// TooLongError is the cause of the error TooLong returns: the figures of
// a prompt that does not fit a model's window, for callers that can say
// more than its message does (`aiex context` says how much less to keep
// for the answer, and its --reserve flag to do it with).
type TooLongError struct {
	Tokens  int    // the prompt's tokens without any other code
	Budget  int    // the most the model allows a prompt: Window less Reserve
	Window  int    // the model's context window
	Reserve int    // the tokens kept for the answer
	Room    int    // the most the answer may keep for the prompt to fit; 0 when keeping less would not help
	Target  string // what was too long besides the question; "" for the question alone
}

// Error says what is too long and what to do: only what every command
// that gives this refusal can do. Keeping less for the answer (Room) is
// not said: `aiex ask`, `aiex explain`, `aiex refactor` and the TUI have
// no way to set the reserve; `aiex context`, which has, says it.
func (e *TooLongError) Error() string {
	what, verb, fix := "the question", "takes", "ask a shorter question"
	if e.Target != "" {
		what, verb, fix = "the question and "+e.Target, "take", "ask about a smaller target"
	}
	return fmt.Sprintf("%s %s %d tokens, more than the %d this model allows a prompt (a %d-token window less %d for the answer); use a model with a larger window or %s",
		what, verb, e.Tokens, e.Budget, e.Window, e.Reserve, fix)
}

// TooLong is the error for a prompt that does not fit a model's window
// before any code is added: the question alone (target "") or the
// question and the target, which is never cut (target names it). It is a
// *usererr.Error whose cause is a *TooLongError, and says what to make
// smaller: the question, or the target; its Room is how much the answer
// may keep when the prompt would fit if less were kept for it.
func TooLong(tokens, budget, window, reserve int, target string) error {
	e := &TooLongError{Tokens: tokens, Budget: budget, Window: window, Reserve: reserve, Target: target}
	if room := window - tokens; room >= minAnswerRoom && room < reserve {
		e.Room = room
	}
	return usererr.Wrap(e, "%s", e.Error())
}

// minAnswerRoom is the least room for an answer TooLong suggests keeping.
const minAnswerRoom = 64

// reads reports whether a task only reads its target (it asks about it,
// explains it): a target too large for the window may then be shown
// reduced. Tasks that change the target (refactor, gen-tests) need it
// whole.
func reads(task string) bool { return task == "ask" || task == "explain" }

// fit chooses the target's form and each candidate's within the budget.
// The target goes in full when it fits; else, for a task that only reads
// it, a file or module goes in outline — fitted to the whole budget
// before any candidate (fitOutline) —, a Go const or var group named by
// one of its names cut to that name, and a single unit without its doc
// text; else the context fails (TooLong). The candidates are then asked
// for (candidates, given the conventions the prompt holds), unless the
// room left could take none (minRoom: the lookups are most of a context's
// time). Then each candidate in order:
// full if it fits, else its signature, else nothing; the room left goes to
// the start of the first chunk that was reduced. The prompt is rendered
// and counted as a whole at the end, and candidates come off the end
// until it fits — per-item counts only approximate the whole (fences,
// headers); room that frees is offered again to those left out or
// reduced for want of it.
func (b *Builder) fit(req Request, out *Context, target *Item, files *fileCache, candidates func(conventions []string) ([]*Item, error)) error {
	data := req.Data
	data.Question = req.Question
	data.Context = nil // data.Target, if set, says where code without a target goes (gen-module)
	plan := req.Estimate
	if plan == nil {
		plan = req.Count
	}
	req.Count = &memoCounter{c: req.Count, seen: map[string]int{}}
	setTarget := func(form, code string) {
		target.Form, target.Code = form, code
		s := snippet(target, code, files)
		data.Target = &s
	}
	if target != nil {
		setTarget(FormFull, target.full)
	}
	hooked := false
	if req.Conventions != nil && data.Conventions == nil {
		dir := ""
		switch {
		case target != nil:
			dir = path.Dir(target.Path)
		case data.Target != nil:
			dir = path.Dir(data.Target.Path)
		}
		if dir == "." {
			dir = ""
		}
		data.Conventions = req.Conventions(dir)
		hooked = data.Conventions != nil
	}
	// count counts the prompt without candidates: with the conventions
	// when they leave room for need more tokens, else without them (the
	// question and the target come first).
	convs := data.Conventions
	var counted []providers.Message // the prompt count last counted
	count := func(need int) (n int, err error) {
		data.Conventions = convs
		counted, n, err = b.render(req, data)
		if err != nil || n+need <= out.Budget || !hooked {
			return n, err
		}
		data.Conventions = nil
		counted, n, err = b.render(req, data)
		return n, err
	}
	what := ""
	if target != nil {
		what = fmt.Sprintf("%s (%s)", target.Name, target.where())
		switch target.Kind {
		case KindFile:
			what = target.Path
		case KindPackage:
			what = fmt.Sprintf("package %s (%s)", target.Name, path.Dir(target.Path))
		}
	}

	// The question and the target in full, if they fit. A file or module
	// whose estimate is well over the budget does not (the estimate errs
	// high), and counting it exactly would take long: an exact BPE counts
	// ~2 MB/s.
	var o *outline
	whole := target == nil || !reads(req.Task) || len(target.units) == 0 || plan.Count(target.full)*4 <= out.Budget*5
	base := 0
	if whole {
		var err error
		if base, err = count(0); err != nil {
			return err
		}
	}
	if !whole || base > out.Budget {
		if target == nil || !reads(req.Task) {
			return TooLong(base, out.Budget, out.Window, out.Reserve, what)
		}
		if len(target.units) > 0 {
			// In outline: as many units in full as fit, the rest as their
			// signatures. The target comes first: its outline is fitted
			// to the whole budget before any candidate has room.
			setTarget(FormOutline, "")
			var ranks map[string]float64
			if target.unitRanks != nil {
				var err error
				if ranks, err = target.unitRanks(); err != nil {
					return err
				}
			}
			o = newOutline(target, req.words(), plan.Count, ranks)
			empty, err := count(o.least() + o.sigCosts())
			if err != nil {
				return err
			}
			if base, err = b.fitOutline(req, &data, o, out, empty, func() { setTarget(FormOutline, o.text()) }); err != nil {
				if errors.Is(err, errOutlineTooLong) {
					return TooLong(base, out.Budget, out.Window, out.Reserve, what+" in outline")
				}
				return err
			}
			if counted, base, err = b.render(req, data); err != nil { // counted once: memoCounter
				return err
			}
		} else if m, ok := target.memberCut(); ok {
			// One name of a const or var group: the lines declaring it,
			// which the prompt names as the member's.
			setTarget(FormMember, m.code)
			data.Target.Name, data.Target.StartLine, data.Target.EndLine = m.name, m.startLine, m.endLine
			n, err := count(0)
			if err != nil {
				return err
			}
			if n > out.Budget {
				return TooLong(n, out.Budget, out.Window, out.Reserve, what+" cut to "+target.member)
			}
			target.Reason = memberReason(plan.Count(target.full), target.member)
			base = n
		} else {
			// One unit: without its doc text, if that is enough; else,
			// named by PATH:LINE, the lines around the line that fit.
			code, n := dropDoc(target.full, true), 0
			if code != target.full {
				setTarget(FormNoDoc, code)
				var err error
				if n, err = count(0); err != nil {
					return err
				}
			}
			switch {
			case code != target.full && n <= out.Budget:
				target.Reason = fmt.Sprintf("%d tokens in full; its doc text left out", plan.Count(target.full))
				base = n
			case target.line > 0:
				n, ok, err := fitLines(target, func(code string, first, last int) (int, error) {
					setTarget(FormLines, code)
					data.Target.StartLine, data.Target.EndLine = first, last
					return count(0)
				}, out.Budget)
				if err != nil {
					return err
				}
				if !ok {
					return TooLong(base, out.Budget, out.Window, out.Reserve, what)
				}
				target.Reason = linesReason(plan.Count(target.full), data.Target.StartLine, data.Target.EndLine, target.line, target.lineEnd)
				base = n
			default:
				return TooLong(base, out.Budget, out.Window, out.Reserve, what)
			}
		}
	}

	var cands []*Item
	// A target in an outline that had to reduce some of its units took
	// the budget as its own: what room is left is its fitting's slack,
	// too little for any candidate, and finding them (the neighbours of
	// every unit of a large file, a search) would cost more than the
	// whole context did.
	if out.Budget-base >= minRoom && !o.reduced() {
		var err error
		if cands, err = candidates(data.Conventions); err != nil {
			return err
		}
	}

	// The candidates, planned with the estimate — scaled, when the prompt
	// so far was counted exactly, by how the two compare on it (with 3 %
	// to spare): the estimate errs high by some 11 %, which would leave
	// room a candidate could have had.
	scale := 1.0
	if counted != nil {
		est := 0
		for _, m := range counted {
			est += plan.Count(m.Content) + messageOverhead
		}
		scale = min(1, float64(base)/float64(max(est, 1))*1.03)
	}
	cost := func(code string, it *Item) int {
		return int(math.Ceil(float64(plan.Count(snippetText(it, code)))*scale)) + 2
	}
	left := out.Budget - base - contextHeader
	var reduced *Item
	words := lowerWords(req.words())
	// Each candidate's forms and their costs, then each its form in order.
	ladders := map[*Item][]step{} // the target's module header's forms between whole and signature
	for _, it := range cands {
		if it.further != "" {
			// Only listed, never fitted: what it would take in full.
			it.cost = cost(it.full, it)
			it.Tokens, it.Reason = it.cost, fmt.Sprintf("%d tokens; %s", it.cost, it.further)
			continue
		}
		switch {
		case it.Role == RoleHeader:
			it.fitModuledoc(out.Budget, moduledocShare, func(code string) int { return cost(code, it) })
		case (it.Role == RoleHit || it.Role == RoleTest || it.Role == RoleType) && it.Kind == chunk.KindHeader:
			// A module's doc is prose about it: a hit's, a test module's or
			// a struct's module's says less than the code beside it.
			it.fitModuledoc(out.Budget, hitModuledocShare, func(code string) int { return cost(code, it) })
		case it.Role == RoleType && it.Kind == chunk.KindType:
			it.fitTypeComments(out.Budget, moduledocShare, func(code string) int { return cost(code, it) })
		}
		it.cost = cost(it.full, it)
		it.Tokens = it.cost
		it.bound(target, words)
		it.sig = it.signature()
		if it.sig == it.full {
			it.sig = ""
		}
		if it.sig != "" {
			it.sigCost = cost(it.sig, it)
		}
		if it.mayBeWhole() {
			if st := headerSteps(it, func(code string) int { return cost(code, it) }); st != nil {
				ladders[it] = st
			}
		}
	}
	// The room kept, after each candidate, for the cuts of the groups
	// after it (cutGroupFor) and the least form of each neighbour before
	// them: a neighbour goes as its signature rather than in full when in
	// full it would leave a group no room for its cut, the names the
	// target uses (in a 4,000-token window store.(*Store).ReadFrom's
	// callees in full left its errors, ErrNotLeader and ErrNotSingleNode,
	// out).
	cutsAfter := make([]int, len(cands)+1)
	group := false // a group cut after
	for i := len(cands) - 1; i >= 0; i-- {
		cutsAfter[i] = cutsAfter[i+1]
		switch it := cands[i]; {
		case it.further != "" || it.Role == RoleHit || it.sigOnly:
		case it.wholeLast && it.sig != "":
			cutsAfter[i] += it.sigCost
			group = true
		case group && it.sig != "":
			cutsAfter[i] += it.sigCost
		case group && it.mayBeWhole():
			cutsAfter[i] += it.cost
		}
	}
	for i, it := range cands {
		if it.further != "" {
			continue
		}
		if st := ladders[it]; st != nil {
			// The target's module header: the largest of its forms that
			// costs the target's neighbours nothing (pickStep).
			if k := pickStep(cands, i, st, left); k >= 0 {
				it.Form, it.Code, it.Tokens, it.Reason = st[k].form, st[k].code, st[k].cost, st[k].reason
				left -= it.Tokens
				continue
			}
		}
		switch {
		case it.cost <= left && it.mayBeWhole() && !it.wholeLast && ladders[it] == nil &&
			(it.cost <= left-cutsAfter[i+1] || it.sig == "" || it.sigCost > left):
			it.Form, it.Reason = it.whole()
			it.Code = it.full
		case it.sig != "" && it.sigCost <= left:
			it.Form, it.Code, it.Tokens = it.sigForm(), it.sig, it.sigCost
			it.Reason = it.reduced()
			if reduced == nil && it.Role != RoleHeader && !it.sigOnly && !it.noCut && it.cutWhy == "" {
				// A header's reduced form is what the target uses of
				// it: its first lines would show less of that (so is a
				// test module's header's or a struct's, cut to its
				// declarations).
				reduced = it
			}
		case !it.mayBeWhole() && it.sig == "":
			// A built-in's piece of doc text alone (a unit split in
			// pieces): no code to show. Data or code too large to go in
			// full without a signature goes neither.
			it.Reason = fmt.Sprintf("%d tokens; a language built-in, and only doc text", it.cost)
			if it.bounded != "" {
				it.Reason = fmt.Sprintf("%d tokens; %s, and it has no signature", it.cost, it.bounded)
			}
			continue
		default:
			it.Reason = it.noRoom()
			continue
		}
		left -= it.Tokens
	}
	// Room left: show the start of the first reduced chunk instead — of a
	// caller, its signature and the lines around its call of the target —,
	// within what one cut may take (maxCut).
	if room := min(left+reduced.tokens(), maxCut(out.Budget)); reduced != nil && room >= minTruncated {
		was := reduced.Tokens
		cutToFit(reduced, target, func(s string) int { return cost(s, reduced) }, room)
		left -= reduced.Tokens - was
	}
	// What no other candidate could use then: the target's module header
	// goes in a larger form, and a group cut to the members the target
	// uses goes whole, in it.
	left = stepUp(cands, ladders, left)
	wholeLastFits(cands, left)

	// Render, count the whole, and take off from the end until it fits;
	// offer the room left to what was left out or reduced for want of it.
	// An item given room by a refill that then did not fit is not given
	// that much again: tooLarge holds the least form (formSize) found not
	// to fit, which bounds the rounds.
	tooLarge, refilled := map[*Item]int{}, map[*Item]bool{}
	for refills := 0; ; {
		data.Context = data.Context[:0]
		for _, it := range cands {
			if it.Form != "" {
				data.Context = append(data.Context, snippet(it, it.Code, files))
			}
		}
		if o != nil {
			setTarget(FormOutline, o.text())
		}
		msgs, total, err := b.render(req, data)
		if err != nil {
			return err
		}
		if total <= out.Budget {
			// The estimate errs high: scaled by how it compares with the
			// count of this prompt, it tells what else fits closely enough
			// that one more count usually settles it.
			est := 0
			for _, m := range msgs {
				est += plan.Count(m.Content) + messageOverhead
			}
			scale := min(float64(total)/float64(max(est, 1)), 1)
			if refills < maxRefills && refill(cands, ladders, out.Budget-total, scale, tooLarge, refilled) {
				refills++
				continue
			}
			out.Tokens, out.Prompt, out.Data = total, msgs, data
			if refills == maxRefills {
				stopped(cands, out.Budget-total, tooLarge)
			}
			break
		}
		over := total - out.Budget
		for i := len(cands) - 1; i >= 0 && over > 0; i-- {
			if it := cands[i]; it.Form != "" {
				if refilled[it] {
					tooLarge[it] = formSize(it, it.Form, it.Code)
				}
				over -= it.Tokens
				it.Form, it.Code, it.Tokens = "", "", it.cost
				it.Reason = fmt.Sprintf("%d tokens; no room left once the whole prompt was counted", it.cost)
			}
		}
		if over > 0 && len(data.Context) == 0 {
			// Nothing left to take off: the target alone, counted as it
			// was fitted, fits, so this is not expected.
			return TooLong(total, out.Budget, out.Window, out.Reserve, what+" in outline")
		}
	}
	if target != nil {
		if o != nil {
			units, reduced, left := o.report()
			target.Units = units
			target.Reason = fmt.Sprintf("%d tokens in full; %d of its %d units as signatures", plan.Count(target.full), reduced, len(units))
			if left > 0 {
				target.Reason += fmt.Sprintf(", %d left out", left)
			}
		}
		// As the prompt shows it, counted as the model counts: the target
		// is most of the prompt, and the counter has seen its pieces.
		target.Tokens = req.Count.Count(snippetText(target, target.Code))
		out.Target = target
		in := *target
		in.Units = nil // listed once, in Target
		out.Included = append(out.Included, in)
	}
	// A further implementation that went in as another item (a hit) is
	// not listed as left out; one that did not is listed once, as what it
	// is, not as a hit left out for want of room too.
	further := map[int64]bool{}
	in := map[int64]bool{}
	for _, it := range cands {
		if it.further != "" {
			further[it.id] = true
		} else if it.Form != "" {
			in[it.id] = true
		}
	}
	for _, it := range cands {
		if it.Form == "" && (it.further != "" && in[it.id] || it.further == "" && further[it.id]) {
			continue
		}
		if it.Form != "" {
			// Counted as the target is, so that the rows and the prompt's
			// total agree: the counter has seen every piece of it.
			it.EndLine = it.shownEnd()
			it.Tokens = req.Count.Count(snippetText(it, it.Code))
			out.Included = append(out.Included, *it)
		} else {
			out.Dropped = append(out.Dropped, *it)
		}
	}
	return nil
}

// mayBeWhole reports whether a candidate may go in full: any but one too
// large (bounded), and a language built-in (sigOnly) or data (noCut),
// which may only when it has no doc text to leave out nor body (a
// one-line definition is its own signature) — data only when small too.
func (it *Item) mayBeWhole() bool {
	if it.further != "" {
		return false // only listed
	}
	own := it.sig == "" && dropDoc(it.full, true) == it.full
	switch {
	case it.noCut:
		return own && it.cost < dataTokens
	case it.bounded != "":
		return false
	case it.sigOnly:
		return own
	}
	return true
}

// tokens is what it takes as it goes; 0 for none.
func (it *Item) tokens() int {
	if it == nil {
		return 0
	}
	return it.Tokens
}

// cutToFit shows it, a candidate reduced to its signature, cut to fit
// room (by cost) instead, if more of it than the signature fits: a caller
// of target as its signature and the lines around its call (callSite);
// else a unit's head (the lines its signature shows, @spec and def, a Go
// func line) and the first lines after it, its doc text left out — what
// a caller's first lines hold is seldom how it calls the target, and a
// unit's first lines are often all doc text: cut there, a larger window
// would show the model less of it than the signature a smaller one
// shows. A cut that cannot keep the head and something more leaves the
// signature as it is. Lines of no unit (a file's, a code chunk's) go as
// their first lines. Its range then ends at the last line kept (last,
// 0-based in its full code).
func cutToFit(it, target *Item, cost func(string) int, room int) {
	set := func(code, reason string, last int) {
		it.Form, it.Code, it.Reason, it.Tokens = FormTruncated, code, reason, cost(code)
		it.cutCode, it.cutEnd = code, min(it.StartLine+last, it.EndLine)
	}
	if it.Role == RoleCaller {
		if code, from, to := callSite(it.full, targetWords(target), cost, room); code != "" {
			set(code, fmt.Sprintf("%d tokens in full; cut to its signature and lines %d-%d, around its call", it.cost, it.StartLine+from, it.StartLine+to-1), to-1)
			return
		}
	}
	lines := strings.Count(it.full, "\n") + 1
	switch it.Kind {
	case KindFile, KindPackage, chunk.KindText, chunk.KindCode:
		if it.Role == RoleCaller {
			code := dropDoc(it.full, true)
			skip := lines - (strings.Count(code, "\n") + 1) // its leading doc's
			if cut, n := truncate(code, cost, room); cut == code && code != it.full {
				set(cut, fmt.Sprintf("%d tokens in full; without its doc text", it.cost), lines-1)
				it.Form = FormNoDoc
			} else if cut != "" {
				set(cut, fmt.Sprintf("%d tokens in full; cut to the first %d lines of its code", it.cost, n), skip+n-1)
			}
		} else if code, n := truncate(it.full, cost, room); code != "" {
			set(code, fmt.Sprintf("%d tokens in full; cut to its first %d lines", it.cost, n), n-1)
		}
		return
	}
	code, head, next := headFirst(it.full)
	cut, n := truncate(code, cost, room)
	switch {
	case head == 0 || n <= head:
	case n == strings.Count(code, "\n")+1:
		// All of its code: only its doc text is left out, which is
		// what the form says (a "… (0 more lines)" would say nothing).
		set(cut, fmt.Sprintf("%d tokens in full; without its doc text", it.cost), lines-1)
		it.Form = FormNoDoc
	default:
		set(cut, fmt.Sprintf("%d tokens in full; cut to the first %d lines of its code", it.cost, n), next+n-head-1)
	}
}

// shownEnd is the last line of it that goes in: its last, unless it goes
// cut short (cutToFit).
func (it *Item) shownEnd() int {
	if it.cutEnd > 0 && it.Code == it.cutCode {
		return it.cutEnd
	}
	return it.EndLine
}

// headFirst is code, a unit, with the doc text and blank lines among its
// first lines left out, as its signature leaves them out, and head the
// number of lines its signature shows (unitHead: its attributes, @spec
// whole, and its declaration up to the line that opens its body); 0 when
// it has no declaration. These are the lines a cut of the unit must keep;
// next is the first line of code after them.
func headFirst(code string) (_ string, head, next int) {
	lines := strings.Split(code, "\n")
	h, next, decl := unitHead(lines)
	if !decl {
		return strings.Join(h, "\n"), 0, next
	}
	return strings.Join(append(h, lines[next:]...), "\n"), len(h), next
}

// errOutlineTooLong says that not even an outline's smallest form fits.
var errOutlineTooLong = errors.New("outline too long")

// maxOutlineRounds bounds how many times an outline is planned and its
// prompt counted: its units are planned by the estimate, and the count
// of the whole tells how much more or less room there is.
const maxOutlineRounds = 4

// fitOutline fits the outline o of the target into the budget, with the
// prompt data as it is (the question, the conventions, no candidates):
// planned by the estimate within the room the prompt leaves (empty is the
// prompt with the outline's code empty, counted), rendered by show and
// counted as a whole, then planned again with the room the count found
// left, or lacking, until it fits as closely as its units allow. It
// returns the prompt's count with the outline chosen. When not even every
// unit left out fits, it returns that count and errOutlineTooLong.
func (b *Builder) fitOutline(req Request, data *prompt.Data, o *outline, out *Context, empty int, show func()) (int, error) {
	room := out.Budget - empty
	var best, last []string
	bestN := 0
	for round := 0; round < maxOutlineRounds; round++ {
		used := o.plan(room)
		least := used > room
		if least {
			o.setForms(make([]string, len(o.units))) // every unit left out
		}
		forms := o.forms()
		if slices.Equal(forms, best) || slices.Equal(forms, last) {
			break // tried: the room found changes nothing
		}
		last = forms
		show()
		_, n, err := b.render(req, *data)
		if err != nil {
			return 0, err
		}
		// Estimated tokens of the outline's pieces per counted token: the
		// room the count finds, in the estimate's terms.
		ratio := float64(max(used, 1)) / float64(max(n-empty, 1))
		if n <= out.Budget {
			if n > bestN {
				best, bestN = forms, n
			}
			grow := int(float64(out.Budget-n) * ratio)
			if grow < 1 {
				break
			}
			room = used + grow
			continue
		}
		if least {
			if best != nil {
				break
			}
			return n, errOutlineTooLong
		}
		room = used - int(math.Ceil(float64(n-out.Budget)*ratio)) - 1
	}
	if best == nil {
		// The rounds ran out shrinking: the smallest outline, if it fits.
		o.setForms(make([]string, len(o.units)))
		show()
		_, n, err := b.render(req, *data)
		if err != nil {
			return 0, err
		}
		if n > out.Budget {
			return n, errOutlineTooLong
		}
		best, bestN = o.forms(), n
	}
	o.setForms(best)
	show()
	return bestN, nil
}

// contextHeader is what the context's heading ("Related code from the
// project:") takes, about.
const contextHeader = 8

// minRoom is the least room, counted, that code besides the target could
// take: the context's heading and a snippet's line naming its code and
// its fences alone take more (~8 and ≥ 11 tokens). With less, the target's
// neighbours and the search hits are not looked up.
const minRoom = 16

func (b *Builder) count(req Request, d prompt.Data) (int, error) {
	_, n, err := b.render(req, d)
	return n, err
}

func (b *Builder) render(req Request, d prompt.Data) ([]providers.Message, int, error) {
	msgs, err := b.cfg.Prompts.Render(req.Task, d)
	if err != nil {
		return nil, 0, err
	}
	n := 0
	for _, m := range msgs {
		n += req.Count.Count(m.Content) + messageOverhead
	}
	return msgs, n, nil
}

// memoCounter is a Counter that counts each text once: the messages of a
// prompt rendered again with other code (its system message) are not
// counted again.
type memoCounter struct {
	c    Counter
	seen map[string]int
}

func (m *memoCounter) Count(text string) int {
	if n, ok := m.seen[text]; ok {
		return n
	}
	n := m.c.Count(text)
	m.seen[text] = n
	return n
}

func snippet(it *Item, code string, files *fileCache) prompt.Snippet {
	s := prompt.Snippet{Path: it.Path, Name: it.Name, StartLine: it.StartLine, EndLine: it.EndLine, Code: code}
	if code == it.cutCode && it.cutEnd > 0 {
		s.EndLine = it.cutEnd // the lines kept
	}
	if it.Kind == KindFile {
		s.Name = "" // the path says it
	}
	if it.Form == FormSignature || it.Form == FormCut && it.cutWhy != "" {
		s.EndLine = 0 // the signature's lines only, or the group's cut
	}
	return files.exactLines(s, it.Form)
}

// snippetText approximates how a snippet appears in a prompt: a header
// line and the code in a fence.
func snippetText(it *Item, code string) string {
	return "\n" + it.where() + " (" + it.Name + "):\n```" + prompt.Snippet{Path: it.Path}.Lang() + "\n" + code + "\n```\n"
}

func (it *Item) where() string {
	if it.StartLine == 0 {
		return it.Path // a package's files
	}
	return fmt.Sprintf("%s:%d-%d", it.Path, it.StartLine, it.EndLine)
}

// signature is the declaration of a unit without its body, as a repository
// map shows it: the leading lines up to the one that opens the body (a Go
// "{", an Elixir "do"), doc comments and @doc text left out, @spec kept.
// It returns "" when the chunk has no body to leave out. A unit's first
// line holds its indentation in its file (lineStart): the lines the
// signature adds are indented alike.
func signature(code string) string {
	sig, _ := signatureLines(code, code[:len(code)-len(strings.TrimLeft(code, " \t"))])
	return sig
}

// signatureLines is signature for a unit whose first line is indented by
// indent in its file: the lines it adds are indented alike. cut reports a
// declaration cut short without a body to mark (a long const group).
func signatureLines(code, indent string) (sig string, cut bool) {
	lines := strings.Split(code, "\n")
	out, rest, decl := unitHead(lines)
	if !decl || len(out) >= len(lines) {
		return "", false
	}
	last := strings.TrimSpace(out[len(out)-1])
	switch {
	case strings.HasSuffix(last, "{"):
		out = append(out, indent+"\t// …", indent+"}")
	case strings.HasSuffix(last, " do"):
		out = append(out, indent+"  # …", indent+"end")
	default:
		cut = strings.TrimSpace(dropDoc(strings.Join(lines[rest:], "\n"), false)) != ""
	}
	return strings.Join(out, "\n"), cut
}

// truncate returns the longest run of code's first lines whose cost is
// within room, with a marker saying how much was cut (none when nothing
// was), and how many lines it kept; "" if not even one line fits.
func truncate(code string, cost func(string) int, room int) (string, int) {
	lines := strings.Split(code, "\n")
	mark := func(n int) string {
		if n == len(lines) {
			return code
		}
		return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… (%d more lines)", len(lines)-n)
	}
	n := sort.Search(len(lines), func(n int) bool { return cost(mark(n+1)) > room })
	if n == 0 {
		return "", 0
	}
	return mark(n), n
}
