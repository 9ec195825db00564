import type { z } from "zod";
import { encodeForPrompt } from "../guard/quote.js";
import { CHATBOT_PERSONA_BLOCK } from "../prompts/chatbotPrompt.js";
import { formatPrompt } from "../prompts/formatPrompt.js";
import { describePersonaFields } from "../schema/fields.js";
import { renderableValues, type OmittedValue } from "./renderableValues.js";
import { countTokens, estimateTokens } from "./tokens.js";

/**
 * Limits of the rendered persona block.
 * @example
 * const block = renderPersonaBlock(persona, defaultPersonaSchema, { maxTokens: 300 } satisfies PersonaBlockOptions);
 */
export interface PersonaBlockOptions {
  /**
   * Most tokens (o200k_base, `countTokens`) of the whole block, tags included.
   * @default 600
   */
  maxTokens?: number;
  /**
   * Longest text value shown, in characters (longer ones are cut with "…").
   * @default 300
   */
  maxValueChars?: number;
  /**
   * Most list items shown.
   * @default 10
   */
  maxItems?: number;
  /**
   * Longest list item shown, in characters.
   * @default 80
   */
  maxItemChars?: number;
}

/**
 * The block, its size, and what was left out or shortened.
 * @example
 * const { text, tokens, omitted } = renderPersonaBlock(persona, defaultPersonaSchema);
 */
export interface RenderedPersonaBlock {
  /** The `<user_persona>` block, or "" when no value is renderable. */
  text: string;
  /** Tokens of `text` (o200k_base). */
  tokens: number;
  /** Fields shown. */
  shown: number;
  /** Values not rendered: oversized, not fitting the schema, failing the structural guard, or over the token budget. */
  omitted: OmittedValue[];
  /** Fields shown shortened (to fit the value limits or the token budget). */
  shortened: string[];
}

/** Values are shortened down to this many characters before any field is left out. */
const MIN_CHARS = 6;

/**
 * The default token budget of the persona block.
 * @example
 * renderPersonaBlock(persona, schema).tokens <= PERSONA_BLOCK_MAX_TOKENS; // true
 */
export const PERSONA_BLOCK_MAX_TOKENS = 600;

function cut(text: string, limit: number): string {
  const points = Array.from(text);
  return points.length <= limit ? text : `${points.slice(0, Math.max(1, limit - 1)).join("")}…`;
}

interface Line {
  path: string;
  value: unknown;
  /** Current character limit of this line's strings. */
  limit: number;
  items: number;
  shortened: boolean;
}

function encodeLine(line: Line): string {
  const label = line.path.replace(/[^\p{L}\p{N}_.]/gu, "_");
  if (Array.isArray(line.value)) {
    const shownItems = line.value.slice(0, line.items).map((item) => (typeof item === "string" ? cut(item, line.limit) : item));
    const more = line.value.length - shownItems.length;
    return `${label}: ${encodeForPrompt(shownItems)}${more > 0 ? ` (+${more} more)` : ""}`;
  }
  return `${label}: ${encodeForPrompt(typeof line.value === "string" ? cut(line.value, line.limit) : line.value)}`;
}

/**
 * Renders the persona for the chatbot's prompt as quoted data: one
 * `Group.Field: <JSON>` line per known field inside `<user_persona>` tags.
 * Every value is JSON-encoded with `<`, `>`, `&`, line separators and invisible
 * characters escaped, so no value can close the block, open a tag or start a
 * line of its own. Only values that fit the schema and pass the structural
 * guard are shown; each is cut to the value limits, and the block as a whole
 * is kept within `maxTokens` by shortening the longest values and, past that,
 * leaving out the last fields. Any stored persona, however large or corrupt,
 * renders within the budget.
 *
 * @param persona The stored persona (any shape).
 * @param schema The persona schema.
 * @param options Token and length limits.
 * @returns The block and what was left out.
 * @example
 * renderPersonaBlock({ Demographics: { Name: "张伟", Age: 50 } }, defaultPersonaSchema).text;
 * // '<user_persona>\nDemographics.Name: "张伟"\nDemographics.Age: 50\n</user_persona>'
 */
export function renderPersonaBlock(persona: unknown, schema: z.ZodType, options: PersonaBlockOptions = {}): RenderedPersonaBlock {
  // The chatbot renders the same persona on every turn: keep recent results per schema.
  let cached = blockCache.get(schema);
  if (!cached) blockCache.set(schema, (cached = new Map()));
  const key = JSON.stringify([persona, options]);
  const hit = cached.get(key);
  if (hit) return hit;
  const block = renderBlock(persona, schema, options);
  if (cached.size >= MAX_CACHED_BLOCKS) cached.clear();
  cached.set(key, block);
  return block;
}

const blockCache = new WeakMap<object, Map<string, RenderedPersonaBlock>>();
const MAX_CACHED_BLOCKS = 500;

function renderBlock(persona: unknown, schema: z.ZodType, options: PersonaBlockOptions): RenderedPersonaBlock {
  const maxTokens = options.maxTokens ?? PERSONA_BLOCK_MAX_TOKENS;
  const maxValueChars = options.maxValueChars ?? 300;
  const maxItems = options.maxItems ?? 10;
  const maxItemChars = options.maxItemChars ?? 80;
  const { values, omitted } = renderableValues(persona, describePersonaFields(schema));
  if (values.length === 0) return { text: "", tokens: 0, shown: 0, omitted, shortened: [] };

  const lines: Line[] = values.map(({ field, value }) => {
    const isList = Array.isArray(value);
    const limit = isList ? maxItemChars : maxValueChars;
    const longest = isList ? Math.max(0, ...value.map((item) => (typeof item === "string" ? Array.from(item).length : 0))) : typeof value === "string" ? Array.from(value).length : 0;
    return {
      path: field.path,
      value,
      limit,
      items: maxItems,
      shortened: longest > limit || (isList && value.length > maxItems),
    };
  });
  const costs = lines.map((line) => estimateTokens(encodeLine(line)));
  const overhead = estimateTokens(formatPrompt(CHATBOT_PERSONA_BLOCK, { persona: "" })) + 12;
  // More fields than fit even at their shortest: leave out the last ones first.
  const shortest = lines.map((line) => estimateTokens(encodeLine({ ...line, limit: Math.min(line.limit, MIN_CHARS), items: 1 })));
  let dropped = 0;
  let floor = shortest.reduce((sum, cost) => sum + cost + 1, overhead);
  while (dropped < lines.length - 1 && floor > maxTokens) floor -= shortest[lines.length - 1 - dropped++] + 1;
  const active = () => lines.length - dropped;

  // Water-filling on per-line costs: find the level C at which the lines fit when every line above C
  // is cut to C, cut those lines proportionally, and repeat (token counts are not exactly linear).
  const shrinkTo = (index: number, target: number) => {
    const line = lines[index];
    const ratio = Math.max(0.05, Math.min(0.9, target / costs[index]));
    if (Array.isArray(line.value) && line.items > 1 && Math.min(line.items, line.value.length) * ratio >= 1 && line.items > 3) {
      line.items = Math.max(1, Math.floor(Math.min(line.items, line.value.length) * ratio));
    } else if (line.limit > MIN_CHARS) {
      line.limit = Math.max(MIN_CHARS, Math.floor(line.limit * ratio));
    } else if (Array.isArray(line.value) && line.items > 1) {
      line.items = Math.max(1, Math.floor(line.items * ratio));
    } else return false;
    line.shortened = true;
    costs[index] = estimateTokens(encodeLine(line));
    return true;
  };
  for (let round = 0; round < 50; round++) {
    const n = active();
    // Aim a little low: the estimate and the real count differ by a few percent.
    const available = Math.floor(maxTokens * 0.95) - overhead - n;
    const total = costs.slice(0, n).reduce((sum, cost) => sum + cost, 0);
    if (total <= available) break;
    const sorted = costs.slice(0, n).sort((a, b) => b - a);
    let level = 0;
    for (let k = 1, above = 0; k <= n; k++) {
      above += sorted[k - 1];
      const rest = total - above;
      const candidate = (available - rest) / k;
      if (candidate >= (sorted[k] ?? 0)) {
        level = Math.floor(candidate);
        break;
      }
    }
    let changed = false;
    for (let i = 0; i < n; i++) if (costs[i] > level && shrinkTo(i, Math.max(1, level))) changed = true;
    if (!changed) {
      if (n > 1) dropped++;
      else break;
    }
  }
  const render = () => {
    const shown = lines.slice(0, active()).map(encodeLine);
    if (dropped > 0) shown.push(`(${dropped} more field${dropped === 1 ? "" : "s"} not shown)`);
    return formatPrompt(CHATBOT_PERSONA_BLOCK, { persona: shown.join("\n") });
  };
  let text = render();
  let tokens = countTokens(text);
  // The sum of line costs estimates the block; if the block itself is still over, cut the costliest line.
  while (tokens > maxTokens) {
    let index = -1;
    for (let i = 0; i < active(); i++) if (index < 0 || costs[i] > costs[index]) index = i;
    if (!shrinkTo(index, costs[index] * 0.8)) {
      if (active() > 1) dropped++;
      else {
        // A single short line still over the budget (a tiny budget or a huge field name): render nothing.
        return {
          text: "",
          tokens: 0,
          shown: 0,
          omitted: [...omitted, ...lines.map((line) => ({ path: line.path, reason: "over the token budget; not rendered" }))],
          shortened: [],
        };
      }
    }
    text = render();
    tokens = countTokens(text);
  }
  const shownLines = lines.slice(0, lines.length - dropped);
  return {
    text,
    tokens,
    shown: shownLines.length,
    omitted: [...omitted, ...lines.slice(lines.length - dropped).map((line) => ({ path: line.path, reason: "over the token budget; not rendered" }))],
    shortened: shownLines.filter((line) => line.shortened).map((line) => line.path),
  };
}
