package ctxbuild

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// storeFixture is rqlite's store.(*Store).Execute in small: a method that
// checks its store is open, then hands the work to its own unexported
// execute; its store type is a large struct, and the errors it returns
// are three of a large var group.
func storeFixture() map[string]string {
	var fields, errs, work strings.Builder
	for i := range 60 {
		fmt.Fprintf(&fields, "\t// field%d holds the store's state number %d, documented at length.\n\tfield%d int\n", i, i, i)
		fmt.Fprintf(&errs, "\t// ErrUnused%d is returned when condition %d holds.\n\tErrUnused%d = errors.New(\"condition %d\")\n\n", i, i, i, i)
		fmt.Fprintf(&work, "\tn += s.field%d * %d\n", i%60, i)
	}
	return map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"store/store.go": "package store\n\nimport \"errors\"\n\nvar (\n" +
			"\t// ErrNotOpen is returned when a Store is not open.\n\tErrNotOpen = errors.New(\"store not open\")\n\n" + errs.String() +
			"\t// ErrNotLeader is returned when a node is not the leader.\n\tErrNotLeader = errors.New(\"not leader\")\n)\n\n" +
			"// Store is a SQLite database, replicated.\ntype Store struct {\n" + fields.String() + "\topen bool\n\tleader bool\n}\n\n" +
			"// Execute executes queries that return no rows.\nfunc (s *Store) Execute(q string) (int, error) {\n" +
			"\tif !s.open {\n\t\treturn 0, ErrNotOpen\n\t}\n\tif !s.leader {\n\t\treturn 0, ErrNotLeader\n\t}\n\treturn s.execute(q)\n}\n\n" +
			"// execute does the work of Execute.\nfunc (s *Store) execute(q string) (int, error) {\n\tn := len(q)\n" + work.String() + "\treturn n, nil\n}\n",
	}
}

// TestCalleeFunctionsBeforeTypes: in a tight window the functions a
// target calls go before the types and var groups it merely mentions: the
// unexported execute, which does Execute's work, goes in full before the
// large Store struct, which is what is reduced; the var group goes cut to
// the errors Execute returns.
func TestCalleeFunctionsBeforeTypes(t *testing.T) {
	e := setupFiles(t, storeFixture())
	c := e.build(t, Request{Target: "store.(*Store).Execute", Question: "q", Window: 2600})
	r := roles(c)
	if r["store.(*Store).execute"] != RoleCallee+"/"+FormFull {
		t.Errorf("execute %q; want it in full (all: %v)", r["store.(*Store).execute"], r)
	}
	callees := names(c.Included, RoleCallee)
	if i, j := slices.Index(callees, "store.(*Store).execute"), slices.Index(callees, "store.Store"); i < 0 || j >= 0 && j < i {
		t.Errorf("callees %q; want execute before the Store type", callees)
	}
	var group *Item
	for i := range c.Included {
		if strings.HasPrefix(c.Included[i].Name, "store.{") {
			group = &c.Included[i]
		}
	}
	switch {
	case group == nil:
		t.Errorf("the var group is left out; want it cut to what Execute uses (all: %v)", r)
	case group.Form == FormFull:
		t.Errorf("the var group in full in a window too small for it (all: %v)", r)
	case !strings.Contains(group.Code, "ErrNotOpen =") || !strings.Contains(group.Code, "ErrNotLeader =") || strings.Contains(group.Code, "ErrUnused"):
		t.Errorf("the var group as %s:\n%s\nwant it cut to ErrNotOpen and ErrNotLeader", group.Form, group.Code)
	case !strings.Contains(group.Reason, "ErrNotOpen") || !strings.Contains(group.Reason, "ErrNotLeader"):
		t.Errorf("the var group's reason %q; want it to name the members kept", group.Reason)
	}
}

// TestCutToMembers: a group cut to several members keeps each one's spec
// with its comments, a member repeating the expression before it shown
// after that expression, one "// …" line per run left out.
func TestCutToMembers(t *testing.T) {
	code := "const (\n\t// A is a.\n\tA = iota\n\tB\n\tC\n\t// D is d.\n\tD // d\n\tE\n)"
	got, kept, ok := cutToMembers(code, []string{"C", "D", "x"})
	want := "const (\n\t// …\n\tA = iota\n\t// …\n\tC\n\t// D is d.\n\tD // d\n\t// …\n)"
	if !ok || got != want || !slices.Equal(kept, []string{"C", "D"}) {
		t.Errorf("cutToMembers: %v %q\n%s\nwant [C D]\n%s", ok, kept, got, want)
	}
	for _, names := range [][]string{{"Z"}, {"A", "B", "C", "D", "E"}} {
		if _, _, ok := cutToMembers(code, names); ok {
			t.Errorf("cutToMembers(%q): ok; want nothing to cut", names)
		}
	}
}

// protocolFixture is a protocol with implementations, and more callers of
// its function than a window holds.
func protocolFixture() map[string]string {
	var users strings.Builder
	for i := range 12 {
		fmt.Fprintf(&users, "defmodule App.User%d do\n  @doc \"Uses the protocol, at length.\"\n  def use(x) do\n%s    Sizer.size(x) + %d\n  end\nend\n\n", i, strings.Repeat("    x = {x, :step, :again, :and, :again}\n", 6), i)
	}
	return map[string]string{
		"lib/sizer.ex": `defprotocol Sizer do
  @doc "Returns the size of a data structure."
  def size(data)
end

defimpl Sizer, for: List do
  def size(list), do: length(list)
end

defimpl Sizer, for: Map do
  def size(map), do: map_size(map)
end
`,
		"lib/users.ex": users.String(),
	}
}

// TestProtocolImplementationsBeforeCallers: a protocol function's
// implementations say what it does; a few go before its callers, rather
// than every caller first and no implementation at all.
func TestProtocolImplementationsBeforeCallers(t *testing.T) {
	e := setupFiles(t, protocolFixture())
	c := e.build(t, Request{Target: "Sizer.size/1", Question: "q", Window: 1400})
	impls := names(c.Included, RoleImpl)
	if !slices.Contains(impls, "Sizer.List.size/1") || !slices.Contains(impls, "Sizer.Map.size/1") {
		t.Errorf("implementations %q; want Sizer.List.size/1 and Sizer.Map.size/1 (all: %v)", impls, roles(c))
	}
	first := slices.IndexFunc(c.Included, func(it Item) bool { return it.Role == RoleImpl })
	caller := slices.IndexFunc(c.Included, func(it Item) bool { return it.Role == RoleCaller })
	if first < 0 || caller >= 0 && caller < first {
		t.Errorf("included %v; want the implementations before the callers", roles(c))
	}
	if len(names(c.Dropped, RoleCaller)) == 0 {
		t.Errorf("no caller left out: the window is not tight enough to test the order")
	}
	// A function of a plain module has no implementations.
	c = e.build(t, Request{Target: "App.User1.use/1", Question: "q", Window: 8000})
	if impls := names(c.Included, RoleImpl); len(impls) > 0 {
		t.Errorf("App.User1.use/1: implementations %q; want none", impls)
	}
}
