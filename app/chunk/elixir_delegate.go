package chunk

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/aiex-dev/aiex/app/parse/exlex"
)

// delegateTo is the target of a defdelegate: the module of its `to:` as
// written (an alias, __MODULE__, __MODULE__.Sub or an Erlang module atom;
// "" when it is not a module written out: `to: @mod`, a variable), where
// that is written, and the function name its `as:` gives ("" when the
// target has the delegate's own name).
type delegateTo struct {
	mod string
	at  int
	as  string
}

// delegateTarget returns the target of a defdelegate item.
func (x *exFile) delegateTarget(it exItem) delegateTo {
	var d delegateTo
	args := x.defArgs(it)
	if len(args) < 2 || x.kind(args[len(args)-1]) != "keywords" {
		return d
	}
	for _, p := range x.children(args[len(args)-1]) {
		cs := x.nonComments(x.children(p))
		if len(cs) != 2 {
			continue
		}
		v := cs[1]
		switch strings.TrimSpace(x.text(cs[0])) {
		case "to:":
			d.mod, d.at = compact(x.text(v)), int(v.StartByte())
			switch x.kind(v) {
			case "alias", "dot", "identifier":
				if !isModulePath(d.mod) {
					d.mod = ""
				}
			case "atom":
				if len(d.mod) < 2 || !isLower(d.mod[1]) {
					d.mod = ""
				}
			default:
				d.mod = ""
			}
		case "as:":
			switch x.kind(v) {
			case "atom", "quoted_atom":
				d.as = strings.Trim(strings.TrimPrefix(x.text(v), ":"), `"`)
			}
		}
	}
	return d
}

// isModulePath reports a module name as written in code: aliases joined by
// dots (MyApp.Repo), the first of which may be __MODULE__.
func isModulePath(s string) bool {
	for i, seg := range strings.Split(s, ".") {
		if i == 0 && seg == "__MODULE__" {
			continue
		}
		if seg == "" || !isUpper(seg[0]) {
			return false
		}
		for j := 1; j < len(seg); j++ {
			if !exlex.IsIdent(seg[j]) {
				return false
			}
		}
	}
	return true
}

// addDelegateRef gives unit u, the function head h of a defdelegate, a
// ref to the function it delegates to (when d names a module), named as
// the refs lexer names a remote call (`Core.Email.downcase(x)`:
// Core.Email.downcase/1, the module expanded through the aliases in
// effect where it is written), at
// the delegate's full arity: the functions its defaults define call the
// target with every argument.
// Neither the module at the target's place nor the head is a ref of its
// own: the call names the module, as in a body, and a head defines its
// name.
func (x *exFile) addDelegateRef(u int, s *exScope, d delegateTo, h defHead) {
	if x.notRefs == nil {
		x.notRefs = map[int]bool{}
	}
	x.notRefs[h.at] = true
	if d.mod == "" {
		return
	}
	name := x.expandAt(s, d.mod, d.at) + "." + cmp.Or(d.as, h.name) + "/" + strconv.Itoa(h.arity)
	x.units[u].refs = append(x.units[u].refs, ref{name, d.at})
	x.notRefs[d.at] = true
}
