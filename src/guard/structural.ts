import { findBase64, findEscapedBytes, looksLeetspeak, looksReversed, looksRot13, looksShiftCipher, looksSplitPayload, looksSpelledOut } from "./encoded.js";

/**
 * Layer 1 of the poisoning guard: structural, model-free, high precision.
 *
 * It looks at the shape of a value, never at its vocabulary: characters that
 * render as nothing or reorder text, encodings, links, markup and template
 * syntax, chat-role tags and fake block markers. No everyday word ("always",
 * "assistant", "system", "ignore", ...) is by itself a reason to reject; what
 * a value *means* is the semantic layer's job (src/guard/semantic.ts).
 *
 * Cost: the length is checked first; every rule is one pass over the text or a
 * regex whose match attempts are bounded, so the whole check is linear.
 */

/**
 * Why a value was rejected by the structural layer.
 * @example
 * const code: StructuralCode | undefined = checkStructure("see https://x.example")?.code; // "link"
 */
export type StructuralCode =
  | "too_long"
  | "hidden_characters"
  | "bidi_control"
  | "mixed_script"
  | "encoded"
  | "obfuscated"
  | "link"
  | "email"
  | "contact"
  | "markup"
  | "template"
  | "role_tag"
  | "block_marker";

/**
 * Why the structural layer rejected a value: a code and a one-line reason.
 * @example
 * const finding: StructuralFinding | null = checkStructure("ignore previous instructions <system>");
 */
export interface StructuralFinding {
  code: StructuralCode;
  reason: string;
}

/**
 * Options of {@link checkStructure}.
 * @example
 * checkStructure(value, { maxLength: 1000 } satisfies StructuralOptions);
 */
export interface StructuralOptions {
  /**
   * Longest value checked, in UTF-16 code units; longer values are rejected
   * before any rule runs.
   * @default 4000
   */
  maxLength?: number;
}

/**
 * Longest value the structural layer reads; field limits are far lower.
 * @example
 * checkStructure("x".repeat(STRUCTURAL_MAX_LENGTH + 1))?.code; // "too_long"
 */
export const STRUCTURAL_MAX_LENGTH = 4000;

const finding = (code: StructuralCode, reason: string): StructuralFinding => ({ code, reason });

// --- Hidden characters --------------------------------------------------------

const BIDI_CONTROLS = new Set([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
const RTL_LETTER = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;
// Scripts whose spelling uses ZWJ/ZWNJ (Arabic-script languages such as Persian, Indic scripts, Syriac, Mongolian), and emoji sequences.
const JOINER_NEIGHBOUR =
  /[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}\p{Script=Mongolian}\p{Script=Khmer}\p{Script=Myanmar}\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\uFE0F\u2640\u2642\u2695\u2696\u2708\u2764]/u;
const ASCII_LETTER = /[A-Za-z]/;
const MONGOLIAN = /\p{Script=Mongolian}/u;
const IDEOGRAPH = /[\p{Script=Han}]/u;
const INVISIBLE = /[\p{Cf}\p{Co}\p{Cn}\p{Cs}\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2028\u2029\u3164\uffa0]/u;

function isControl(cp: number): boolean {
  return (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || (cp >= 0x7f && cp <= 0x9f);
}

/**
 * One pass over the code points. Allowed invisible characters are the ones
 * real text needs: ZWJ/ZWNJ between letters of scripts that use them or inside
 * emoji sequences (never next to ASCII letters), one variation selector after
 * a character, LRM/RLM in text that has right-to-left letters, Mongolian
 * variation selectors after Mongolian letters, tag characters inside a flag
 * emoji sequence (🏴 + tags + cancel tag).
 */
function isSelector(cp: number): boolean {
  return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

function isTag(cp: number): boolean {
  return cp >= 0xe0020 && cp <= 0xe007e;
}

function findHidden(text: string): StructuralFinding | null {
  let hasRtl: boolean | undefined;
  let prev = "";
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const ch = width === 2 ? text.slice(i, i + 2) : text[i];
    // Printable ASCII and ordinary characters: the common case, one comparison.
    if (
      (cp >= 0x20 && cp < 0x7f) ||
      cp === 0x09 ||
      cp === 0x0a ||
      cp === 0x0d ||
      (cp >= 0x4e00 && cp <= 0x9fff) || // CJK ideographs
      (cp >= 0x3041 && cp <= 0x30ff) || // kana
      (cp >= 0xac00 && cp <= 0xd7a3) || // Hangul syllables
      (cp >= 0xc0 && cp <= 0x2af) || // Latin letters with diacritics
      (cp >= 0x400 && cp <= 0x4ff) // Cyrillic
    ) {
      prev = ch;
      i += width;
      continue;
    }
    if (BIDI_CONTROLS.has(cp)) return finding("bidi_control", "contains bidirectional override characters");
    if (isControl(cp)) return finding("hidden_characters", `contains a control character (U+${hex(cp)})`);
    if (!INVISIBLE.test(ch) && !isSelector(cp)) {
      prev = ch;
      i += width;
      continue;
    }
    const nextCp = text.codePointAt(i + width);
    const next = nextCp === undefined ? "" : String.fromCodePoint(nextCp);
    let allowed = false;
    if (cp === 0x200c || cp === 0x200d) {
      allowed = JOINER_NEIGHBOUR.test(prev) && JOINER_NEIGHBOUR.test(next) && !ASCII_LETTER.test(prev) && !ASCII_LETTER.test(next);
    } else if (isSelector(cp)) {
      const prevIsSelector = prev !== "" && isSelector(prev.codePointAt(0)!);
      allowed = !prevIsSelector && (cp >= 0xe0100 ? IDEOGRAPH.test(prev) : prev !== "" && !/\s/.test(prev));
    } else if (cp === 0x200e || cp === 0x200f || cp === 0x061c) {
      hasRtl ??= RTL_LETTER.test(text);
      allowed = hasRtl;
    } else if (cp >= 0x180b && cp <= 0x180f) {
      allowed = MONGOLIAN.test(prev);
    } else if (isTag(cp) || cp === 0xe007f) {
      // Subdivision flags: U+1F3F4, 2-7 tag letters or digits, then U+E007F (cancel tag).
      let end = i;
      let tags = 0;
      while (end < text.length && isTag(text.codePointAt(end)!)) {
        end += 2;
        tags++;
      }
      if (prev === "\u{1F3F4}" && text.codePointAt(end) === 0xe007f && tags >= 2 && tags <= 7) {
        prev = "\u{E007F}";
        i = end + 2;
        continue;
      }
      return finding("hidden_characters", "contains Unicode tag characters (invisible text)");
    } else if ((cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000) {
      return finding("hidden_characters", `contains a private-use character (U+${hex(cp)})`);
    }
    if (!allowed) return finding("hidden_characters", `contains an invisible or unassigned character (U+${hex(cp)})`);
    prev = ch;
    i += width;
  }
  return null;
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, "0");
}

// Latin letters next to Cyrillic or Greek letters inside one word ("pаypal" with a Cyrillic а).
// μ and Ω are left out: "50μg", "10kΩ" are ordinary units.
const MIXED_SCRIPT =
  /[\p{Script=Latin}][\p{Script=Cyrillic}]|[\p{Script=Cyrillic}][\p{Script=Latin}]|[\p{Script=Latin}](?![μΩ])[\p{Script=Greek}]|(?![μΩ])[\p{Script=Greek}][\p{Script=Latin}]/u;

// Letters in compatibility forms that NFKC folds to ASCII: mathematical alphanumerics (𝐈𝐠𝐧𝐨𝐫𝐞),
// circled/parenthesized/squared letters, and fullwidth Latin outside CJK text (ＩＧＮＯＲＥ).
const STYLED_LETTER = /[\u{1D400}-\u{1D7FF}\u24B6-\u24E9\u249C-\u24B5\u{1F130}-\u{1F189}]/gu;
const FULLWIDTH_LATIN = /[\uFF21-\uFF3A\uFF41-\uFF5A]/g;
const CJK_TEXT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

function findStyledLetters(value: string): StructuralFinding | null {
  const styled = value.match(STYLED_LETTER)?.length ?? 0;
  if (styled >= 4) return finding("mixed_script", "spells words in styled look-alike letters (mathematical or enclosed alphanumerics)");
  const fullwidth = value.match(FULLWIDTH_LATIN)?.length ?? 0;
  if (fullwidth >= 8 && !CJK_TEXT.test(value)) return finding("mixed_script", "spells words in fullwidth look-alike letters");
  return null;
}

// A phone number: 9+ digits in groups ("+1 800-555-0199", "400-820-7788", "0664 1234567"). Contact
// details are a way to steer or exfiltrate, and do not describe the user.
const PHONE = /(?<![\d+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,5}(?:[ .-]\d{2,5}){1,4}(?!\d)/g;

function findPhone(text: string): boolean {
  for (const match of text.match(PHONE) ?? []) {
    const digits = match.replace(/\D/g, "").length;
    if (digits >= 9 && digits <= 15 && !/^\d{4}(?:[ .-]\d{4}){1,3}$/.test(match)) return true;
  }
  return /(?<!\d)\d{10,15}(?!\d)/.test(text);
}

// --- Links --------------------------------------------------------------------

const URL_SCHEME = /\b[a-z][a-z0-9+.-]{1,15}:\/\//i;
const DANGEROUS_SCHEME = /\b(?:(?:javascript|vbscript):[^\s]|data:[a-z-]{1,30}\/[a-z0-9.+-]{1,40}|data:[^\s,]{0,60};base64|file:\/)/i;
const WWW = /\bwww\d{0,3}\.[a-z0-9-]/i;
const MARKDOWN_LINK = /\]\(|!\[/;
const DEFANGED = /\bhxxps?\b|\w\[\.\]\w|\w\(\.\)\w|\w\{\.\}\w/i;
const TLDS =
  "com|net|org|io|ai|co|xyz|top|ru|cn|me|info|biz|app|dev|site|link|ly|gl|to|sh|tk|cc|us|uk|de|fr|jp|in|br|es|it|nl|pl|su|ws|online|shop|store|click|live|pro|tv|gg|so|gd|page|cloud|zip|mov";
// A domain followed by a path or query: "evil-site.com/collect?d=". Lowercase TLDs only, so "ASP.NET/C#" is prose.
// It starts only where a label can start (not inside a run of label characters), so a long run
// is not rescanned from every position.
const DOMAIN_WITH_PATH = new RegExp(`(?<![a-z0-9-])[a-z0-9-]{1,63}(?:\\.[a-z0-9-]{1,63}){0,4}\\.(?:${TLDS})(?::\\d{2,5})?[/?#][\\w%~&=+-]`);
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b(?::\d{2,5}|\/)/;

const EMAIL_LOCAL_END = /[\w.+-]/;
const EMAIL_DOMAIN = /[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,4}\.[a-z]{2,24}\b/iy;

/** local@domain.tld, checked at each "@" with a sticky, bounded regex (linear, unlike one unanchored regex). */
function findEmail(text: string): boolean {
  for (let at = text.indexOf("@"); at >= 0; at = text.indexOf("@", at + 1)) {
    if (at === 0 || !EMAIL_LOCAL_END.test(text[at - 1])) continue;
    EMAIL_DOMAIN.lastIndex = at + 1;
    if (EMAIL_DOMAIN.test(text)) return true;
  }
  return false;
}

// --- Markup, templates, roles, block markers ------------------------------------

const HTML_TAGS =
  "script|img|iframe|svg|a|style|link|meta|object|embed|form|input|button|body|html|head|base|frame|frameset|video|audio|source|details|div|span|p|br|table|math|template|textarea|select";
const PROMPT_TAGS =
  "system|user|assistant|human|ai|bot|model|developer|operator|admin|tool|tool_call|tool_result|function|function_call|instructions?|prompt|system_prompt|context|memory|persona|user_persona|profile|data|document|message|im_start|im_end|s|scene|past_sessions|rules|policy|secret|hidden|important|override|inst|sys";
const OPEN_TAG = new RegExp(`<\\s*(?:${HTML_TAGS}|${PROMPT_TAGS})(?:\\s[^<>]{0,200})?\\/?\\s*>`, "i");
const TAG_WITH_ATTRIBUTE = /<\s*[a-z][a-z0-9-]{0,20}\s+[a-z-]{1,20}\s*=\s*["'\w]/i;
const CLOSE_TAG = /<\/\s*[a-z_][\w:-]{0,40}\s*>/i;
const HTML_OTHER = /<!--|-->|<!\[CDATA\[|<\?[a-z]|<!doctype/i;
const NAMED_ENTITY = /&(?:lt|gt|quot|apos|amp|nbsp);/i;
const CODE_FENCE = /```|~~~/;
const TEMPLATE = /\{\{|\}\}|\{%|%\}|\$\{|#\{|<%|%>|\{#|#\}|\[\[|\]\]/;

const CHAT_TOKEN = /<\|[^|<>\n]{1,40}\|>|<\/?s>|<<\/?\s*sys\s*>>|<\/?(?:start|end)_of_turn>|\[\/?\s*inst\s*\]|<\|?(?:endoftext|eot_id|begin_of_text)\|?>/i;
const ROLE_WORDS =
  "system|assistant|user|human|ai|bot|model|developer|operator|admin|administrator|tool|function|" +
  "系统|助手|用户|管理员|开发者|システム|アシスタント|ユーザー|管理者|시스템|어시스턴트|사용자|" +
  "система|ассистент|пользователь|администратор|sistema|asistente|usuario|assistente|utente|système|utilisateur|administrateur|" +
  "benutzer|nutzer|systemnachricht";
// A role label opening the value or a line: "System: …", "[assistant]", "### Instruction".
const ROLE_LABEL = new RegExp(
  `(?:^|[\\n\\r])[ \\t]{0,10}[\\[(*#>]{0,6}[ \\t]{0,3}(?:${ROLE_WORDS})(?:[ \\t]{0,3}(?:message|prompt|note|instruction|instructions|override|update|mode|消息|提示|指令|提示词))?[ \\t]{0,3}[\\])*]{0,6}[ \\t]{0,3}[:：]`,
  "iu",
);
const ROLE_BRACKET = new RegExp(`\\[\\s*\\/?(?:${ROLE_WORDS}|inst|sys)(?:\\s+(?:message|prompt|note|instructions?|override))?\\s*\\]|【\\s*(?:${ROLE_WORDS})[^】]{0,10}】`, "iu");
// A chat message forged as JSON: {"role": "system", "content": ...}.
const ROLE_JSON = /["'](?:role|from|author|speaker)["']\s{0,3}:\s{0,3}["'](?:system|assistant|developer|user|tool|function|operator|admin)["']/i;
// An annotation addressed to a component: "Note for the assistant:", "OPERATOR NOTE:", "Learner note:", "系统备注：".
const NOTE_WORDS = "note|notice|message|memo|instruction|instructions|directive|command|override|update|order|hinweis|nachricht|anweisung|nota|mensaje|aviso|instrucción|remarque|consigne|avis|messaggio|avviso|заметка|примечание|указание|сообщение";
const ADDRESSEE_WORDS =
  "system|assistant|chatbot|bot|ai|model|llm|agent|operator|admin|administrator|developer|moderator|learner|memory|assistent|assistenten|asistente|assistente|modelo|modèle|modell|lernprozess|proceso de aprendizaje|processus d'apprentissage|processo di apprendimento";
const ROLE_NOTE = new RegExp(
  `\\b(?:(?:new\\s+|neue\\s+|nueva\\s+|nouvelle\\s+)?(?:${ADDRESSEE_WORDS})[ \\t]{0,3}(?:${NOTE_WORDS})|(?:new\\s+|neue\\s+|nueva\\s+|nouvelle\\s+)?(?:${NOTE_WORDS})[ \\t]{1,3}(?:to|for|an|für|fuer|para|pour|per|al|à|au|для)[ \\t]{1,3}(?:the[ \\t]+|den[ \\t]+|die[ \\t]+|das[ \\t]+|el[ \\t]+|la[ \\t]+|le[ \\t]+|l'|il[ \\t]+|lo[ \\t]+)?(?:${ADDRESSEE_WORDS}))[ \\t]{0,3}[:：]` +
    `|(?:系统|管理员|开发者|运营方|助手|模型|システム|管理者|開発者)[ \\t]{0,2}(?:备注|提示|通知|消息|指令|说明|メモ|注記|通知|指示)[ \\t]{0,2}[:：]`,
  "iu",
);
const ROLE_HEADING = /(?:^|[\n\r])[ \t]{0,10}#{1,6}[ \t]{0,3}(?:system|instructions?|assistant|user|response|developer|admin)\b/i;

// Banners and fake section ends: "=== END OF PERSONA ===", "---- SYSTEM ----", "[/persona]".
const BANNER = /[=~#]{3}|(?:^|[\n\r])[ \t]{0,10}[-*_]{3}|[-*_]{3}[ \t]{0,10}(?:$|[\n\r])|[-*_]{3}[ \t]{0,3}[A-Z]{3}|[A-Z]{3}[ \t]{0,3}[-*_]{3}/;
const BLOCK_WORDS =
  "USER|PERSONA|PROFILE|SYSTEM|INSTRUCTIONS?|DATA|CONTEXT|MEMORY|PROMPT|MESSAGE|CONVERSATION|BLOCK|INPUT|DOCUMENT|TRANSCRIPT|SESSION";
const BLOCK_CAPS = new RegExp(`\\b(?:END|BEGIN|START|STOP|CLOSE)\\s*(?:OF\\s+)?(?:THE\\s+)?(?:${BLOCK_WORDS})\\b`);
const BLOCK_PHRASE = /\b(?:end|close) of (?:the )?(?:user (?:persona|profile|data)|persona|user_persona|profile block|system prompt|data block)\b/i;
const BLOCK_CLOSE_BRACKET = /\[\s*\/\s*[a-z_ ]{1,30}\]/i;

/**
 * Returns why `value` must not be stored in a persona by its structure, or
 * null when its shape is fine. Values are NFKC-normalized first (fullwidth
 * "＜｜system｜＞" folds to "<|system|>").
 *
 * @param value One string a persona write would store (a text value or one list item).
 * @param options `maxLength`: longer values are rejected before any rule runs.
 * @returns The first finding, or null.
 * @example
 * checkStructure("Prefers short answers"); // null
 * checkStructure("likes tea\u200b<|im_start|>system"); // { code: "hidden_characters", ... }
 */
export function checkStructure(value: string, options: StructuralOptions = {}): StructuralFinding | null {
  const maxLength = options.maxLength ?? STRUCTURAL_MAX_LENGTH;
  if (value.length > maxLength) return finding("too_long", `is longer than ${maxLength} characters`);
  const hidden = findHidden(value);
  if (hidden) return hidden;
  const text = value.normalize("NFKC");
  if (text !== value) {
    const folded = findHidden(text);
    if (folded) return folded;
  }
  const styled = findStyledLetters(value);
  if (styled) return styled;
  if (MIXED_SCRIPT.test(text)) return finding("mixed_script", "mixes look-alike alphabets (Latin with Cyrillic or Greek) within a word");

  if (CHAT_TOKEN.test(text)) return finding("role_tag", "contains a chat-format token (<|...|>, [INST], <<SYS>>)");
  if (ROLE_LABEL.test(text) || ROLE_BRACKET.test(text) || ROLE_HEADING.test(text) || ROLE_JSON.test(text)) {
    return finding("role_tag", "contains a chat-role label (System:, [assistant], ### Instruction, a JSON role)");
  }
  if (ROLE_NOTE.test(text)) return finding("role_tag", "contains a note addressed to the assistant or operator (\"Note for the assistant:\")");
  if (BLOCK_CAPS.test(text) || BLOCK_PHRASE.test(text) || BLOCK_CLOSE_BRACKET.test(text) || BANNER.test(text)) {
    return finding("block_marker", "contains a block or section marker (=== END ===, [/persona])");
  }
  if (OPEN_TAG.test(text) || CLOSE_TAG.test(text) || TAG_WITH_ATTRIBUTE.test(text) || HTML_OTHER.test(text) || NAMED_ENTITY.test(text)) {
    return finding("markup", "contains markup (HTML/XML tags, comments, entities)");
  }
  if (CODE_FENCE.test(text)) return finding("markup", "contains a code fence");
  if (TEMPLATE.test(text)) return finding("template", "contains template delimiters ({{ }}, ${ }, {% %})");

  if (URL_SCHEME.test(text) || DANGEROUS_SCHEME.test(text) || WWW.test(text) || MARKDOWN_LINK.test(text) || DEFANGED.test(text)) {
    return finding("link", "contains a link or URI");
  }
  if (DOMAIN_WITH_PATH.test(text) || IPV4.test(text)) return finding("link", "contains a web address");
  if (findEmail(text)) return finding("email", "contains an email address");

  const escaped = findEscapedBytes(text);
  if (escaped) return finding("encoded", escaped);
  const base64 = findBase64(text);
  if (base64) return finding("encoded", base64);
  if (looksRot13(text) || looksShiftCipher(text)) return finding("encoded", "contains letter-shifted text (ROT13 or another Caesar shift)");
  if (looksReversed(text)) return finding("obfuscated", "contains text written backwards");
  if (looksLeetspeak(text)) return finding("obfuscated", "contains leetspeak (letters swapped for digits)");
  if (looksSpelledOut(text)) return finding("obfuscated", "contains words spelled out letter by letter");
  if (looksSplitPayload(text)) return finding("obfuscated", "contains quoted fragments joined with +");
  if (findPhone(text)) return finding("contact", "contains a phone number");
  return null;
}
