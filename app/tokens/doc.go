// Package tokens counts tokens the way a model family does, offline.
//
// For picks a Counter from a provider kind and a model name. OpenAI models get
// their real byte-pair encoding (o200k_base or cl100k_base, whose tables are
// compiled into the binary and loaded on first use), so their counts are
// exact. Models whose tokenizer is not available here (Anthropic's Claude,
// local models served by Ollama, LM Studio or any OpenAI-compatible server)
// get an Estimate: one pass over the bytes with a per-family table of weights
// fitted against real tokenizers, scaled so that it errs on the high side.
//
// DESIGN.md gives the mapping, how the weights were fitted, and the measured
// error and speed of both kinds of counter.
package tokens
