import { z } from "zod";

/**
 * Typed persona fields (layer 2 of the poisoning guard). Each builder returns
 * a zod schema that enforces the field's format and carries a description of
 * it as zod metadata (`personaFormat`), which `describePersonaFields` reads for
 * the learner prompt, rejection reasons and the renderer's bounds. A custom
 * schema gets the same behaviour from plain zod (`z.string().max(40)`, a
 * refinement) and may add `.meta({ personaFormat: { ... } })` to describe it.
 */

/**
 * How a persona field's values must look. Attach with `.meta({ personaFormat })`.
 * @example
 * const age = z.number().meta({ [PERSONA_FORMAT_KEY]: { format: "age", hint: "a whole number of years" } satisfies PersonaFormat });
 */
export interface PersonaFormat {
  /** Short name of the format, e.g. "text", "name", "age", "mbti-letter", "language-list". */
  format: string;
  /** What a value must look like, in words (shown to the learner and in rejection reasons). */
  hint: string;
  /** Longest text value, or longest list item, in characters. */
  maxLength?: number;
  /** Most items of a list. */
  maxItems?: number;
  /** Kind shown to the learner, when the zod type alone does not say it (e.g. "number" for an age range). */
  kind?: "text" | "number" | "list" | "choice";
}

/**
 * Metadata key under which a field's format is stored.
 * @example
 * const format = textField("Name").meta()?.[PERSONA_FORMAT_KEY] as PersonaFormat; // { format: "text", ... }
 */
export const PERSONA_FORMAT_KEY = "personaFormat";

function withFormat<T extends z.ZodType>(schema: T, format: PersonaFormat, description: string): T {
  return schema.meta({ description, [PERSONA_FORMAT_KEY]: format }) as T;
}

const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

/**
 * Counts words: whitespace-separated words, where text in scripts written
 * without spaces (Chinese, Japanese, Korean) counts two characters a word.
 * @param text - any text
 * @returns the number of words
 * @example
 * countWords("I like tea"); // 3
 * countWords("我喜欢茶"); // 2
 */
export function countWords(text: string): number {
  const cjk = text.match(CJK_CHAR)?.length ?? 0;
  const rest = text.replace(CJK_CHAR, " ").split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
  return rest + Math.ceil(cjk / 2);
}

const words = countWords;

/**
 * Options of `textField`.
 * @example
 * const Name = textField("The user's name", { maxLength: 80, singleLine: true } satisfies TextFieldOptions);
 */
export interface TextFieldOptions {
  /**
   * Longest value in characters.
   * @default 300
   */
  maxLength?: number;
  /**
   * Most whitespace-separated words (CJK text without spaces counts two characters a word).
   * @default no limit
   */
  maxWords?: number;
  /**
   * Reject line breaks.
   * @default false
   */
  singleLine?: boolean;
  /**
   * Characters the value may not contain, e.g. /[:;!?]/ for a name.
   * @default none
   */
  forbidden?: RegExp;
  /** Words for `hint`, e.g. "a name". @default "text" */
  noun?: string;
  /** @default "text" */
  format?: string;
}

/**
 * A bounded text field.
 *
 * @param description What the field holds (shown to the learner).
 * @param options Length, word and character limits.
 * @returns A zod string schema with its format attached.
 * @example
 * const schema = z.object({ City: textField("Where the user lives", { maxLength: 60, maxWords: 5 }).optional() });
 */
export function textField(description: string, options: TextFieldOptions = {}): z.ZodType<string> {
  const maxLength = options.maxLength ?? 300;
  const noun = options.noun ?? "text";
  const limits = [`at most ${maxLength} characters`];
  if (options.maxWords) limits.push(`at most ${options.maxWords} words`);
  if (options.singleLine) limits.push("one line");
  const hint = `${noun}, ${limits.join(", ")}`;
  let schema = z
    .string({ error: `must be ${noun} (a string)` })
    .min(1, { error: "must not be empty" })
    .max(maxLength, { error: (issue) => `must be at most ${maxLength} characters, got ${String(issue.input).length}` });
  if (options.maxWords) {
    const maxWords = options.maxWords;
    schema = schema.refine((value) => words(value) <= maxWords, {
      error: (issue) => `must be ${noun} of at most ${maxWords} words, got ${words(String(issue.input))}`,
    });
  }
  if (options.singleLine) schema = schema.refine((value) => !/[\r\n]/.test(value), { error: "must be one line" });
  if (options.forbidden) {
    const forbidden = options.forbidden;
    schema = schema.refine((value) => !forbidden.test(value), {
      error: (issue) => `must be ${noun}; "${String(issue.input).match(forbidden)?.[0]}" does not belong in it`,
    });
  }
  return withFormat(schema, { format: options.format ?? "text", hint, maxLength }, description);
}

/**
 * Options of `listField`.
 * @example
 * const Hobbies = listField("Hobbies", { maxItems: 10, itemMaxLength: 40 } satisfies ListFieldOptions);
 */
export interface ListFieldOptions {
  /**
   * Most items.
   * @default 20
   */
  maxItems?: number;
  /**
   * Longest item in characters.
   * @default 80
   */
  itemMaxLength?: number;
  /**
   * Schema of one item.
   * @default a one-line string of at most `itemMaxLength` characters
   */
  item?: z.ZodType<string>;
  /** Words for the hint, e.g. "short phrases". @default "short items" */
  noun?: string;
  /** @default "list" */
  format?: string;
}

/**
 * A list of short strings.
 *
 * @param description What the list holds.
 * @param options Item count and item length limits.
 * @returns A zod array schema with its format attached.
 * @example
 * const schema = z.object({ Hobbies: listField("Hobbies", { maxItems: 10, itemMaxLength: 40 }).optional() });
 */
export function listField(description: string, options: ListFieldOptions = {}): z.ZodType<string[]> {
  const maxItems = options.maxItems ?? 20;
  const itemMaxLength = options.itemMaxLength ?? 80;
  const noun = options.noun ?? "short items";
  const item =
    options.item ??
    z
      .string({ error: "each item must be a string" })
      .min(1, { error: "items must not be empty" })
      .max(itemMaxLength, { error: (issue) => `each item must be at most ${itemMaxLength} characters, got ${String(issue.input).length}` })
      .refine((value) => !/[\r\n]/.test(value), { error: "each item must be one line" });
  const schema = z
    .array(item, { error: "must be a list of strings" })
    .max(maxItems, { error: (issue) => `must have at most ${maxItems} items, got ${(issue.input as unknown[]).length}` });
  return withFormat(
    schema,
    { format: options.format ?? "list", hint: `a list of at most ${maxItems} ${noun}, each at most ${itemMaxLength} characters`, maxLength: itemMaxLength, maxItems },
    description,
  );
}

// A language name in any script ("English", "中文", "粤语", "Brazilian Portuguese", "English (native)")
// or a BCP 47 code ("en", "zh-Hans", "pt-BR"): letters, spaces, hyphens, apostrophes, one parenthesis group.
const LANGUAGE_NAME = /^[\p{L}\p{M}][\p{L}\p{M}'’ .\-·]*(?:\s*[(（][\p{L}\p{M}\p{N}'’ .,，\-·+]+[)）])?$/u;
const LANGUAGE_CODE = /^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$/i;

/** True for a language name or code (see `languageListField`). */
export function isLanguageName(value: string): boolean {
  return value.length <= 40 && words(value) <= 5 && (LANGUAGE_CODE.test(value) || LANGUAGE_NAME.test(value));
}

/**
 * A list of languages: names in any script or BCP 47 codes, preferred first.
 *
 * @param description What the list holds.
 * @param options `maxItems` (default 10).
 * @returns A zod array schema with its format attached.
 * @example
 * const schema = z.object({ Languages: languageListField("Languages the user speaks").optional() });
 */
export function languageListField(description: string, options: { maxItems?: number } = {}): z.ZodType<string[]> {
  const item = z
    .string({ error: "each language must be a string" })
    .min(1, { error: "languages must not be empty" })
    .refine(isLanguageName, {
      error: (issue) =>
        `each item must be a language name or code (e.g. "English", "中文", "pt-BR", "Japanese (N2)"; at most 5 words), got ${JSON.stringify(String(issue.input).slice(0, 60))}`,
    });
  return listField(description, { maxItems: options.maxItems ?? 10, itemMaxLength: 40, item, noun: "language names or codes", format: "language-list" });
}

const AGE_RANGE = /^(\d{1,3})\s*(?:-|–|—|~|to|bis|a|à|à|до|到|至|〜|～)\s*(\d{1,3})$/i;
const AGE_DECADE = /^(\d{1,2})0s$/i;
const AGE_PLUS = /^(\d{1,3})\s*\+$/;
// Number words that give an age in words ("mid-forties", "la trentaine", "unos cuarenta", "Anfang dreißig", "三十岁左右").
const AGE_WORD =
  /\d|teen|twent|thirt|fort|fift|sixt|sevent|eight|ninet|vingt|trent|quarant|cinquant|soixant|septant|octant|nonant|veint|treint|cuarent|cincuent|sesent|setent|ochent|novent|vent|sessant|settant|ottant|vint|trint|quarent|sessent|oitent|zwanzig|dreißig|dreissig|vierzig|fünfzig|fuenfzig|sechzig|siebzig|achtzig|neunzig|двадцат|тридцат|сорок|пятьдесят|шестьдесят|семьдесят|восемьдесят|девяност|[一二三四五六七八九十两][十岁歳才]|[十百][多来几]|[岁歳才代대세]/iu;
const AGE_PHRASE_FORBIDDEN = /[:;!?<>{}[\]()@#$%^*=+|\\~`"“”：；！？（）【】「」《》]/;
const AGE_HINT = 'a whole number from 0 to 150, a range like "30-35", "30s" or "65+", or a short age phrase ("mid-forties", "三十岁左右")';

/**
 * Reads an age: a number, digits, a range, a decade, "N+", or a short phrase
 * that states an age in words; undefined when it is none of them.
 *
 * @param value The proposed age.
 * @returns A number, a normalized range ("30-35", "30s", "65+"), the phrase trimmed, or undefined.
 * @example
 * parseAge("34 years"); // 34
 * parseAge("very old"); // undefined
 */
export function parseAge(value: unknown): number | string | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 && value <= 150 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim().replace(/\s*(?:years?(?: old)?|yrs?|岁|歳|才|세|ans|años|anni|jahre|лет)$/i, "");
  if (/^\d{1,3}$/.test(text)) return parseAge(Number(text));
  const range = AGE_RANGE.exec(text);
  if (range) {
    const [low, high] = [Number(range[1]), Number(range[2])];
    return low <= high && high <= 150 ? `${low}-${high}` : undefined;
  }
  const decade = AGE_DECADE.exec(text);
  if (decade && Number(decade[1]) <= 14) return `${Number(decade[1])}0s`;
  const plus = AGE_PLUS.exec(text);
  if (plus && Number(plus[1]) <= 150) return `${Number(plus[1])}+`;
  // A short phrase: at most 4 words and 30 characters, no sentence punctuation, and a number in digits or words.
  const phrase = value.trim();
  if (phrase.length <= 30 && words(phrase) <= 4 && !AGE_PHRASE_FORBIDDEN.test(phrase) && !/[\r\n]/.test(phrase) && AGE_WORD.test(phrase)) {
    const numbers = phrase.match(/\d+/g)?.map(Number) ?? [];
    if (numbers.every((n) => n <= 150)) return phrase;
  }
  return undefined;
}

/**
 * An age: a whole number 0–150 or a range ("30-35", "30s", "65+"). Digits in a
 * string ("34", "34 years") become a number.
 *
 * @param description What the field holds.
 * @returns A zod schema whose output is a number or a normalized range string.
 * @example
 * ageField("Age in years").parse("30 to 35"); // "30-35"
 */
export function ageField(description: string): z.ZodType<number | string> {
  const schema = z.unknown().transform((value, ctx) => {
    const age = parseAge(value);
    if (age === undefined) {
      ctx.issues.push({ code: "custom", input: value, message: `must be ${AGE_HINT}, got ${JSON.stringify(value)?.slice(0, 60)}` });
      return z.NEVER;
    }
    return age;
  });
  return withFormat(schema, { format: "age", hint: AGE_HINT, kind: "number", maxLength: 30 }, description) as unknown as z.ZodType<
    number | string
  >;
}

/**
 * One MBTI dichotomy: one of two letters, in either case.
 *
 * @param letters The two letters, e.g. ["E", "I"].
 * @param description What the field holds.
 * @returns A zod enum schema (input upper-cased and trimmed first).
 * @example
 * mbtiLetterField(["E", "I"], "MBTI letter E or I").parse(" i "); // "I"
 */
export function mbtiLetterField(letters: [string, string], description: string): z.ZodType<string> {
  const schema = z.preprocess(
    (value) => (typeof value === "string" ? value.trim().toUpperCase() : value),
    z.enum(letters, { error: (issue) => `must be the letter ${letters[0]} or ${letters[1]}, got ${JSON.stringify(issue.input)?.slice(0, 40)}` }),
  );
  return withFormat(schema, { format: "mbti-letter", hint: `the letter ${letters[0]} or ${letters[1]}`, maxLength: 1 }, description) as unknown as z.ZodType<string>;
}
