/**
 * Detectors for text that hides its meaning: base64 and hex blobs, escape
 * sequences, ROT13 or reversed English, leetspeak and spelled-out letters.
 * Every detector is a single pass over the text (or a regex whose match
 * attempts are bounded), so a megabyte costs milliseconds.
 */

/** English function words: decoded text that is full of them was English before encoding. */
const FUNCTION_WORDS = new Set(
  (
    "the and you your are for with that this not all any from have was will what when into about they them their there " +
    "here is it in on of to be as at by or an do if me my we so no up can but has had our out who how its than then only " +
    "also just more most some such very should would could must"
  ).split(" "),
);

function latinWords(text: string): string[] {
  return text.toLowerCase().match(/[a-z]{2,}/g) ?? [];
}

function functionWordHits(words: string[]): number {
  let hits = 0;
  for (const word of words) if (FUNCTION_WORDS.has(word)) hits++;
  return hits;
}

function rot13(text: string): string {
  return text.replace(/[a-z]/gi, (c) => {
    const base = c <= "Z" ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/**
 * True when the text reads as English only after a transform (ROT13, or
 * reversing it): the transform is full of English function words, the text
 * itself has almost none. Non-English text stays unflagged: its transform is
 * no more English than it was.
 */
function englishOnlyAfter(transform: (text: string) => string, whole: string): boolean {
  // Encoded English shows in its first sentences; a bounded prefix keeps the cost flat.
  const text = whole.slice(0, 2000);
  const original = latinWords(text);
  if (new Set(original).size < 4) return false;
  if (functionWordHits(original) > 1) return false;
  const decoded = latinWords(transform(text));
  const hits = functionWordHits(decoded);
  return hits >= 3 && hits / decoded.length >= 0.3;
}

/** ROT13-encoded English (by its words). */
export function looksRot13(text: string): boolean {
  return englishOnlyAfter(rot13, text);
}

// The most frequent letter pairs of English; shifted (Caesar/ROT-n) English has almost none of them.
const ENGLISH_BIGRAMS = new Set(
  "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur".split(" "),
);

function bigramScore(text: string): { pairs: number; share: number } {
  let pairs = 0;
  let hits = 0;
  for (const word of text.toLowerCase().match(/[a-z]{2,}/g) ?? []) {
    for (let i = 1; i < word.length; i++) {
      pairs++;
      if (ENGLISH_BIGRAMS.has(word[i - 1] + word[i])) hits++;
    }
  }
  return { pairs, share: pairs ? hits / pairs : 0 };
}

function caesar(text: string, shift: number): string {
  return text.replace(/[a-z]/gi, (c) => {
    const base = c <= "Z" ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + shift) % 26) + base);
  });
}

/**
 * Text in a letter-shift cipher (Caesar, ROT13, any shift): some shift of its
 * letters reads far more like English than the text itself does (measured by
 * the share of common English letter pairs). Real text in any language is
 * already as English-like as any shift of it makes it.
 */
export function looksShiftCipher(whole: string): boolean {
  const text = whole.slice(0, 2000);
  // Needs real running text: enough letter pairs in several different words.
  if (new Set(latinWords(text)).size < 4) return false;
  const original = bigramScore(text);
  if (original.pairs < 20) return false;
  for (let shift = 1; shift < 26; shift++) {
    const shifted = bigramScore(caesar(text, shift)).share;
    if (shifted >= 0.35 && shifted - original.share >= 0.12) return true;
  }
  return false;
}

/** English written backwards. */
export function looksReversed(text: string): boolean {
  return englishOnlyAfter((t) => [...t].reverse().join(""), text);
}


function printableRatio(bytes: Buffer): number {
  if (bytes.length === 0) return 0;
  let printable = 0;
  for (const byte of bytes) if ((byte >= 0x20 && byte < 0x7f) || byte === 0x0a || byte >= 0xc2) printable++;
  return printable / bytes.length;
}

function isBase64Char(code: number): boolean {
  return (
    (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 43 || code === 47 || code === 61 || code === 95 || code === 45
  );
}

/** A run of base64 alphabet characters that is an encoding, not a word. */
function base64Finding(run: string): string | null {
  const body = run.replace(/=+$/, "");
  if (body.length < 16) return null;
  let letters = false;
  let digitsOrSymbols = false;
  let caseChanges = 0;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    const lower = code >= 97 && code <= 122;
    const upper = code >= 65 && code <= 90;
    if (lower || upper) letters = true;
    else if (code !== 45) digitsOrSymbols = true; // "-" alone is a hyphenated phrase
    if (upper && i > 0) {
      const previous = body.charCodeAt(i - 1);
      if (previous >= 97 && previous <= 122) caseChanges++;
    }
  }
  // Words, identifiers and numbers are not blobs: a blob mixes digits or symbols with letters, or flips case often.
  if (!letters || !(digitsOrSymbols || caseChanges >= 3)) return null;
  if (body.length >= 40) return "contains an encoded blob (base64-like run of 40 or more characters)";
  const decoded = Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  const text = decoded.toString("utf8");
  if (decoded.length >= 10 && printableRatio(decoded) >= 0.9 && /[A-Za-z]{2,}[\s.,]/.test(text)) {
    return "contains base64-encoded text";
  }
  return null;
}

/** Scans base64-alphabet runs in one pass. */
export function findBase64(text: string): string | null {
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const inRun = i < text.length && isBase64Char(text.charCodeAt(i));
    if (inRun && start < 0) start = i;
    else if (!inRun && start >= 0) {
      if (i - start >= 16) {
        const finding = base64Finding(text.slice(start, i));
        if (finding) return finding;
      }
      start = -1;
    }
  }
  return null;
}

const HEX_RUN = /[0-9a-f]{32}/i;
const HEX_PAIRS = /(?:(?:0x)?[0-9a-f]{2}[\s,:]){11}(?:0x)?[0-9a-f]{2}\b/i;
const ESCAPES = /(?:\\u[0-9a-f]{4}|\\u\{[0-9a-f]{1,6}\}|\\x[0-9a-f]{2}){3}/i;
const PERCENT = /(?:%[0-9a-f]{2}){3}/i;
const ENTITIES = /&#x?[0-9a-f]{1,6};/i;
const BINARY = /(?:[01]{8}[\s,]?){4}/;

/** Hex blobs, escape sequences, percent-encoding, numeric entities, bit strings. */
export function findEscapedBytes(text: string): string | null {
  if (HEX_RUN.test(text)) return "contains an encoded blob (32 or more hex digits)";
  if (HEX_PAIRS.test(text)) return "contains hex-encoded bytes";
  if (ESCAPES.test(text)) return "contains escape sequences (\\u, \\x)";
  if (PERCENT.test(text)) return "contains percent-encoded bytes";
  if (ENTITIES.test(text)) return "contains numeric character references (&#...;)";
  if (BINARY.test(text)) return "contains bit strings";
  return null;
}

/** Letter/digit transitions inside one alphanumeric word ("1gn0r3" has 4). */
function transitions(word: string): number {
  let count = 0;
  for (let i = 1; i < word.length; i++) {
    const a = word[i - 1] >= "0" && word[i - 1] <= "9";
    const b = word[i] >= "0" && word[i] <= "9";
    if (a !== b) count++;
  }
  return count;
}

/**
 * Leetspeak: several words that switch between letters and digits three or
 * more times ("pr3v10u5"). Product codes and tech words switch once or twice
 * ("RTX4090", "k8s", "i18n") and are not counted.
 */
export function looksLeetspeak(text: string): boolean {
  let strong = 0;
  for (const word of text.match(/[A-Za-z0-9]{4,}/g) ?? []) {
    if (/[A-Za-z]/.test(word) && transitions(word) >= 3) strong++;
    if (strong >= 2) return true;
  }
  return false;
}

// 'ign' + 'ore all pri' + 'or rules': quoted fragments joined with "+".
const JOINED_FRAGMENTS = /(["'‘’“”])[^"'‘’“”\n]{1,40}["'‘’“”]\s{0,3}\+\s{0,3}["'‘’“”][^"'‘’“”\n]{1,40}["'‘’“”]\s{0,3}\+\s{0,3}["'‘’“”]/;

/** Two or more "+" joins of quoted fragments: a payload split so no part reads as what it is. */
export function looksSplitPayload(text: string): boolean {
  return JOINED_FRAGMENTS.test(text);
}

/** Six or more single letters in a row, one separator apart ("i g n o r e", "s.y.s.t.e.m"). */
const SPELLED_OUT = /(?:^|[^\p{L}])(?:[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}][ .\-_*·|/]){5}[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}](?![\p{L}])/u;

export function looksSpelledOut(text: string): boolean {
  return SPELLED_OUT.test(text);
}
