import { Tiktoken } from "js-tiktoken/lite";
import o200kBase from "js-tiktoken/ranks/o200k_base";

let encoder: Tiktoken | undefined;
let splitter: RegExp | undefined;
// Token counts of pre-tokenized pieces. Byte-pair encoding never merges across pieces, so a text's
// count is the sum of its pieces' counts; caching them makes repeated text (a persona rendered on
// every turn) cheap. Encoding one piece is quadratic in its length in js-tiktoken (a 29-character
// CJK run takes ~2 ms), which is what makes the cache worth having.
const pieceCounts = new Map<string, number>();
const MAX_CACHED_PIECES = 20_000;

/**
 * Counts tokens with the o200k_base encoding (GPT-4o family) from ranks bundled
 * in the package, so counting never touches the network. Loaded on first use.
 * Exact: the text is split with the encoding's own pre-tokenizer and the
 * pieces' counts are summed (and cached).
 *
 * @param text Any text.
 * @returns The number of o200k_base tokens.
 * @example
 * countTokens("hello world"); // 2
 */
export function countTokens(text: string): number {
  encoder ??= new Tiktoken(o200kBase);
  splitter ??= new RegExp(o200kBase.pat_str, "gu");
  let total = 0;
  for (const match of text.matchAll(splitter)) {
    const piece = match[0];
    let count = pieceCounts.get(piece);
    if (count === undefined) {
      count = encoder.encode(piece).length;
      if (pieceCounts.size >= MAX_CACHED_PIECES) pieceCounts.clear();
      pieceCounts.set(piece, count);
    }
    total += count;
  }
  return total;
}

let preloading = false;

/**
 * Builds the tokenizer soon, outside any turn: building it takes about a
 * second of CPU, which would otherwise land on the first reply. The persona
 * graph builders call it; calling it again does nothing.
 *
 * @returns nothing; the tokenizer is built on a later tick of the event loop
 * @example preloadTokenizer();
 */
export function preloadTokenizer(): void {
  if (preloading || encoder) return;
  preloading = true;
  setImmediate(() => countTokens("")).unref();
}

/**
 * A fast estimate of `countTokens` for text that may hold long runs without
 * spaces or punctuation (byte-pair encoding is quadratic in a run's length):
 * the text is counted in pieces of at most 32 characters. Cutting mostly adds
 * tokens, so the estimate is usually a little high; callers that need an
 * exact bound count the result once with `countTokens`.
 *
 * @param text Any text.
 * @returns The estimated token count.
 * @example
 * estimateTokens("hello world"); // 2
 */
export function estimateTokens(text: string): number {
  let total = 0;
  for (const piece of text.match(/[\s\S]{1,32}/gu) ?? []) total += countTokens(piece);
  return total;
}
