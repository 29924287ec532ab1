package markdown

import "github.com/aiex-dev/aiex/app/parse/exlex"

// exHighlighter highlights Elixir from its tokens (package exlex, which
// the code index uses too): comments, strings, charlists, heredocs and
// sigils (with interpolated code highlighted inside), atoms and keyword
// keys, numbers and character literals, module attributes, module names,
// reserved words and the names that def/defp/defmacro… define. Like the
// lexer, it never fails: text it does not understand stays plain, and an
// unterminated string runs to the end of the block.
type exHighlighter struct {
	src    string
	spans  []hlSpan
	defEnd int // end of the last def-like keyword, or -1
}

func elixirSpans(code string) []hlSpan {
	h := &exHighlighter{src: code, defEnd: -1}
	exlex.Lex(code, h.token)
	return h.spans
}

func (h *exHighlighter) add(start, end int, st style) {
	if end <= start {
		return
	}
	if n := len(h.spans); n > 0 && h.spans[n-1].end == start && h.spans[n-1].st == st {
		h.spans[n-1].end = end
		return
	}
	h.spans = append(h.spans, hlSpan{start, end, st})
}

// token styles one token.
func (h *exHighlighter) token(t exlex.Token) {
	switch t.Kind {
	case exlex.Comment:
		h.add(t.Start, t.End, colComment|stItalic)
	case exlex.String, exlex.Heredoc, exlex.Sigil:
		h.add(t.Start, t.End, colString)
	case exlex.QuotedAtom, exlex.Atom:
		h.add(t.Start, t.End, colConst)
	case exlex.Char, exlex.Number:
		h.add(t.Start, t.End, colNumber)
	case exlex.Attr:
		h.add(t.Start, t.End, colAttr)
	case exlex.Alias:
		h.add(t.Start, t.End, colType)
	case exlex.Key:
		if exlex.IsUpper(h.src[t.Start]) {
			h.add(t.Start, t.End, colConst) // Foo: is a keyword key
			return
		}
		h.word(t)
	case exlex.Ident:
		h.word(t)
	}
}

// word styles a name or a keyword key (do:): a reserved word,
// true/false/nil, or the name a def defines.
func (h *exHighlighter) word(t exlex.Token) {
	w := h.src[t.Start:t.End]
	defName := h.defEnd >= 0 && onlyBlanks(h.src[h.defEnd:t.Start])
	h.defEnd = -1
	switch {
	case t.Kind == exlex.Key:
		if exReserved(w[:len(w)-1]) {
			h.add(t.Start, t.End, colKeyword)
		} else {
			h.add(t.Start, t.End, colConst)
		}
	case exlex.AfterDot(h.src, t.Start):
	case exReserved(w):
		h.add(t.Start, t.End, colKeyword)
		if exDefines(w) {
			h.defEnd = t.End
		}
	case w == "true" || w == "false" || w == "nil":
		h.add(t.Start, t.End, colConst)
	case defName:
		h.add(t.Start, t.End, colFunc)
	}
}

func onlyBlanks(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' {
			return false
		}
	}
	return len(s) > 0
}

// exReserved reports Elixir's reserved words and the special forms and
// Kernel macros that read as keywords.
func exReserved(w string) bool {
	switch w {
	case "do", "end", "fn", "when", "and", "or", "not", "in", "case", "cond", "if", "unless", "else", "try",
		"catch", "rescue", "after", "receive", "with", "for", "quote", "unquote", "unquote_splicing",
		"import", "alias", "require", "use", "raise", "reraise", "throw", "super",
		"__MODULE__", "__ENV__", "__DIR__", "__CALLER__", "__STACKTRACE__",
		"defmodule", "defprotocol", "defimpl", "defstruct", "defexception", "defoverridable":
		return true
	}
	return exDefines(w)
}

// exDefines reports the keywords whose next word is a function's name.
func exDefines(w string) bool {
	switch w {
	case "def", "defp", "defmacro", "defmacrop", "defguard", "defguardp", "defdelegate", "defn", "defnp":
		return true
	}
	return false
}
