package ctxbuild

import "github.com/aiex-dev/aiex/app/sandbox"

// IncompleteWarning says that the index of the project at root holds no
// run over the whole project (Context.Incomplete, search.Result's
// Incomplete), and what to do. Both cases that leave it so are named: a
// first aiex index interrupted, and aiex index of a part (a directory or
// a file), which finishes but reaches only that part; either way the
// files no run reached are missing. Search, context, explain and ask give
// it in the same words.
func IncompleteWarning(root string) string {
	return "the index of " + sandbox.QuoteName(root) + " is incomplete: no run over the whole project has finished yet " +
		"(the first was interrupted, or only part of it was indexed): what it did not reach is missing; run aiex index at the project's root"
}

// OtherVersionWarning says that the index of the project at root was made
// by another version of aiex (Context.OtherVersion), and what to do: the
// chunks, names and references it holds may not be those this version
// makes — a target named as this version names it may not be found, a
// unit's neighbours may be missing — until aiex index makes them again.
// Search, context, explain and ask give it in the same words.
func OtherVersionWarning(root string) string {
	return "the index of " + sandbox.QuoteName(root) + " was made by another version of aiex: its chunks and references may differ from what this one makes; " +
		"run aiex index at the project's root to rebuild it"
}
