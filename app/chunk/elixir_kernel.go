package chunk

import "slices"

//go:generate sh -c "elixir ../../scripts/elixir-kernel-names.exs | gofmt > elixir_kernel_data.go"

// A call written without a module (`is_list(x)`, `if c do … end`) of a
// name its module does not define, and no import in effect brings in, is
// Kernel's or a special form, imported everywhere (elixir_kernel_data.go
// lists them, as the real Elixir reports them). Its ref names the module
// that answers it, so that in a project holding Kernel's source (Elixir
// itself) the symbol graph links the call to `defmacro if`, and elsewhere
// it is not taken for a function of the calling module.

// kernelModule returns the module that answers a call of fun at arity
// when Kernel does: "Kernel" for a function or macro of Kernel of that
// arity (of any, when the arity is not known), "Kernel.SpecialForms" for
// a special form, which is named without an arity (special is true): by
// name, since the arities Kernel.SpecialForms documents are not those
// it is written with (`alias Foo` has one argument, alias/2 two; `for`
// takes any number), and the symbol graph resolves a name without an
// arity to every arity. "" when neither has it.
func kernelModule(fun string, arity int) (mod string, special bool) {
	if as, found := kernelFunctions[fun]; found && (arity == noArity || slices.Contains(as, arity)) {
		return "Kernel", false
	}
	if _, found := specialForms[fun]; found {
		return "Kernel.SpecialForms", true
	}
	return "", false
}

// kernelExcluded reports whether an `import Kernel` in effect at at
// leaves fun/arity out (`import Kernel, except: [inspect: 1]`, or an
// `only:` list without it): the call is then not Kernel's.
func kernelExcluded(imports []exImport, at int, fun string, arity int) bool {
	for i := len(imports) - 1; i >= 0; i-- {
		imp := &imports[i]
		if imp.mod != "Kernel" || at < imp.from || at >= imp.to || replaced(imports[i+1:], imp, at) {
			continue
		}
		return imp.none || imp.only != nil && !lists(imp.only, fun, arity) || lists(imp.except, fun, arity)
	}
	return false
}

// isKernelCall reports whether Kernel or a special form answers fun at
// arity (see kernelModule).
func isKernelCall(fun string, arity int) bool {
	mod, _ := kernelModule(fun, arity)
	return mod != ""
}

// kernelDeclares are Kernel's macros and special forms that declare
// rather than compute: every function's own `def`, every module's
// `defmodule`, `use`, `alias`. As refs they would name Kernel from every
// chunk, linking nothing a reader follows (in Elixir's own source every
// function a caller of `def/2`), and crowd a chunk's MaxRefs. A local
// call of one of these names is no ref whatever answers it: Kernel, an
// import (a DSL's own def/2, with Kernel's excepted), or the module
// itself (in kernel.ex, where `defmacro def` makes every def there a
// local call of def/2).
var kernelDeclares = map[string]bool{
	"def": true, "defp": true, "defmacro": true, "defmacrop": true, "defguard": true, "defguardp": true,
	"defdelegate": true, "defmodule": true, "defstruct": true, "defexception": true, "defimpl": true,
	"defprotocol": true, "defoverridable": true, "use": true,
	"alias": true, "import": true, "require": true,
}
