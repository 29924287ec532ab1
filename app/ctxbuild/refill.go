package ctxbuild

import (
	"fmt"
	"math"
)

// maxRefills bounds how many times the room left once the whole prompt
// was counted is offered again: each costs a count of the whole prompt.
const maxRefills = 3

// formSize orders the forms of it by size: what does not fit in one form
// does not in a larger one. Its largest code (full) is its largest form,
// whatever that form is named (Item.whole: no-doc, or a cut header that
// keeps its doc's first paragraph).
func formSize(it *Item, form, code string) int {
	if code == it.full {
		return 3
	}
	switch form {
	case FormFull, FormNoDoc:
		return 3
	case FormTruncated:
		return 2
	case FormSignature, FormCut:
		return 1
	}
	return 0
}

// refill offers free tokens (counted with the whole prompt) to the
// candidates left out or reduced for want of room, in order: each comes
// in full if that fits, else as its signature — in no form already found
// too large. A group cut to what the target uses of it (wholeLast) is
// offered its cut with the others, and its whole form only after them,
// with the room none of them took; so is the target's module header with
// steps (ladders, headerSteps), whose whole form is its first step. Their estimates are scaled by scale.
// It reports whether any changed.
func refill(cands []*Item, ladders map[*Item][]step, free int, scale float64, tooLarge map[*Item]int, refilled map[*Item]bool) bool {
	fits := func(it *Item, form, code string) bool {
		n, ok := tooLarge[it]
		return !ok || formSize(it, form, code) < n
	}
	scaled := func(n int) int { return int(math.Ceil(float64(n) * scale)) }
	changed := false
	for _, last := range []bool{false, true} {
		for _, it := range cands {
			st := ladders[it]
			yields := it.wholeLast || st != nil
			if last && !yields {
				continue
			}
			shown := 0
			if it.Form != "" {
				shown = scaled(it.Tokens)
			}
			whole, why := it.whole()
			if st != nil {
				whole, why = st[0].form, st[0].reason
			}
			switch {
			case it.Form == whole && it.Code == it.full:
			case (last || !yields) && it.mayBeWhole() && fits(it, whole, it.full) && scaled(it.cost)-shown <= free:
				free -= scaled(it.cost) - shown
				it.Form, it.Code, it.Tokens, it.Reason = whole, it.full, it.cost, why
				changed, refilled[it] = true, true
			case it.Form == "" && it.sig != "" && fits(it, it.sigForm(), it.sig) && scaled(it.sigCost) <= free:
				free -= scaled(it.sigCost)
				it.Form, it.Code, it.Tokens = it.sigForm(), it.sig, it.sigCost
				it.Reason = it.reduced()
				changed, refilled[it] = true, true
			}
		}
	}
	return changed
}

// stopped gives the candidates that, by the estimate, would fit in the
// free tokens left when the refills stopped the reason they are out.
func stopped(cands []*Item, free int, tooLarge map[*Item]int) {
	for _, it := range cands {
		if it.Form == "" && (it.cost <= free && it.mayBeWhole() || (it.sig != "" && it.sigCost <= free)) {
			if _, tried := tooLarge[it]; !tried {
				it.Reason = fmt.Sprintf("%d tokens; left out when fitting stopped after %d rounds", it.cost, maxRefills)
			}
		}
	}
}
