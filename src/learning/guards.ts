import type { PersonaValueGuard } from "./fieldPolicies.js";

/**
 * The poisoning guard. A persona value describes the user ("teaches Chinese
 * literature", "prefers short answers"); it is never an instruction to the
 * assistant, a link or exfiltration template, encoded text, or hidden Unicode.
 * Values are NFKC-normalized (fullwidth and other compatibility forms fold to
 * plain letters) before the text rules run, so look-alike spellings do not slip by.
 */

interface Rule {
  reason: string;
  pattern: RegExp;
}

// Characters that render as nothing or reorder text: zero-width, bidi controls,
// word joiners, BOM, soft hyphen, Unicode tag characters, private use, variation
// selectors beyond emoji presentation, and C0/C1 controls.
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0e\ufeff\uffa0\ufff0-\ufffb\ue000-\uf8ff]|[\u{e0000}-\u{e007f}\u{e0100}-\u{e01ef}\u{f0000}-\u{10ffff}]/u;

const DIRECTIVE_VERBS =
  "respond|reply|answer|say|tell|include|insert|append|add|mention|recommend|suggest|promote|use|write|start|begin|end|sign|format|call|refer|send|share|output|print|reveal|link|visit|open|redirect|praise|agree|claim|state|speak|talk|obey|follow|comply|trust|treat|ask";

const ASSISTANT =
  "assistant|chatbot|chat ?bot|bot|ai|a\\.i\\.|llm|language model|model|gpt|chatgpt|claude|gemini|copilot|system|agent";

const TEXT_RULES: Rule[] = [
  {
    reason: "reads as an instruction override",
    pattern:
      /\b(ignor(e|es|ed|ing)|disregard\w*|forg[eo]t\w*|overrid\w*|bypass\w*|skip\w*|drop\w*|abandon\w*|discard\w*)\b[^.]{0,40}\b(instructions?|rules?|prompts?|guidelines?|directions?|directives?|polic(y|ies)|constraints?|restrictions?|guardrails?|safety|context|messages?|everything)\b/i,
  },
  {
    reason: "addresses the assistant",
    pattern: new RegExp(
      `\\b(${ASSISTANT})\\b[^.]{0,50}\\b(must|should|shall|will|is to|are to|needs? to|has to|have to|is required|is instructed|is allowed|may now|can now|always|never|do not|don't)\\b`,
      "i",
    ),
  },
  {
    reason: "addresses the assistant",
    pattern:
      /\b(you|your|yourself|u)\b[^.]{0,30}\b(must|should|shall|will|are to|are required|need to|have to|may now|can now|always|never|do not|don't|are now|now act|are free)\b/i,
  },
  {
    reason: "addresses the assistant",
    pattern: new RegExp(`\\b(wants|asks|asked|tells|told|instructs|instructed|requires|expects|needs|authori[sz]es|authori[sz]ed)\\s+(you|the (${ASSISTANT}))\\b`, "i"),
  },
  {
    reason: "addresses the assistant",
    pattern: /\b(your|the)\s+(instructions|system prompt|rules|guidelines|programming|training|memory|prompt)\b/i,
  },
  {
    reason: "reads as an instruction",
    pattern: new RegExp(`^\\W*(please\\s+)?(${DIRECTIVE_VERBS}|ignore|disregard|forget|remember|do not|don't|act|pretend|roleplay|role-play|switch|enable|disable|execute|run|click|download|install|store|save|update|set)\\b`, "i"),
  },
  {
    reason: "reads as an instruction",
    pattern: new RegExp(`\\b(always|never|must|should|do not|don't)\\s+(${DIRECTIVE_VERBS})\\b`, "i"),
  },
  {
    reason: "reads as an instruction",
    pattern:
      /\b(from now on|henceforth|going forward|in (all|every|each|any) (future |later |subsequent )?(responses?|repl(y|ies)|answers?|messages?|outputs?|conversations?|chats?|sessions?)|(every|each|all) (future |subsequent )?(responses?|repl(y|ies)|answers?|outputs?)|at the (end|start|beginning|bottom|top) of (every|each|all|your)|whenever (asked|the user asks|someone asks|you)|when (responding|answering|replying|asked about))\b/i,
  },
  {
    reason: "reads as an instruction",
    pattern:
      /\b(new|updated|additional|hidden|secret|real|true|actual)\s+(instructions?|directives?|rules?|polic(y|ies)|task|objective|system prompt)\b|\b(developer|admin|god|debug|jailbreak|dan|unrestricted|unfiltered)\s+mode\b|\bjailbreak|\bdo anything now\b/i,
  },
  {
    reason: "reads as an instruction",
    pattern:
      /\b(act as|pretend (to be|you)|roleplay as|role-play as|you are now|behave as|impersonate|simulate being)\b/i,
  },
  {
    reason: "reads as an instruction",
    pattern: /\b(important|attention|note to (the )?(assistant|ai|model|system)|system note|admin note|override|instruction)\s*[:!]/i,
  },
  {
    reason: "asks to lower safeguards",
    pattern:
      /\bwithout\s+(any\s+)?(disclaimers?|warnings?|caveats?|asking|confirmation|consent|permission|refusals?|limits?|restrictions?|filters?)\b|\b(no longer|never)\s+refuse\b|\b(unfiltered|uncensored|unrestricted)\b|\bhides?\s+(errors?|mistakes?|warnings?)\b|\bquietly\b|\bsecretly\b|\btell\s+(everyone|others|anyone|people|other users)\b|\binsist\b/i,
  },
  {
    reason: "claims privileges or asks to lower safeguards",
    pattern:
      /\b(verified|authori[sz]ed|trusted|privileged)\s+(admin|administrator|developer|operator|owner|tester)\b|\b(as|is an?|has)\s+(root|admin|administrator|superuser|sudo)\b|\broot (access|privileges?)\b|\bskip(s|ping)?\s+(all\s+)?(confirmations?|checks?|verifications?|warnings?)\b|\b(safety|content|moderation)\s+(rules?|polic(y|ies)|filters?|guidelines?|warnings?|checks?|settings)\b/i,
  },
  {
    reason: "asks to disclose secrets or other users' data",
    pattern:
      /\b(reveal|disclose|leak|expose|dump|share|send|forward|print|show)(s|es|ed|ing)?\b[^.]{0,30}\b(prompt|instructions|api[ _-]?keys?|secrets?|credentials|passwords?|tokens?|memories|chat history|conversations?)\b|\b(other|another|all)\s+users?'?s?\b[^.]{0,20}\b(data|memor(y|ies)|personas?|conversations?|messages|history|information|details)\b/i,
  },
  {
    reason: "prescribes what replies must say",
    pattern:
      /\b(answered|replied|responded|signed|ended|started|prefixed|suffixed|tagged)\s+with\s+["'“‘]|\b(come|comes|be|are)\s+only\s+from\b|\b(only|exclusively)\s+(recommend|suggest|mention|promote|cite|link)\b|\bfavou?r(s|ing)?\s+(party|candidate|brand|company|product|the)\b/i,
  },
  {
    reason: "contains chat-role or prompt markup",
    pattern:
      /<\|[a-z_]+\|>|<!--|-->|\b(user|assistant|system|admin|developer)\s+(said|says|wrote|writes|instructs?|note)\s*:|\bnote\s+(to|for)\s+(the\s+)?(ai|assistant|model|bot|system|llm)\b|\[\/?(inst|sys|system)\]|<<\/?sys>>|<\/?(system|instructions?|prompt|assistant|user|memory|tool_call)>|^\s*(system|assistant|developer|user|human)\s*:|#{2,}\s*(instruction|system|response)/im,
  },
  {
    reason: "contains a link",
    pattern:
      /\bhxxps?\b|\[\.\]|\(\.\)|\bdot\s+(com|net|org|io|cn|ru)\b|\bslash\s+\w+|\b(https?|ftp|file|data|javascript|vbscript|mailto|tel|ws|wss):|\bwww\.|\]\(|<\s*(img|a|script|iframe|link|meta|object|embed|svg|style)\b|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|net|org|io|ai|co|xyz|top|ru|cn|me|info|biz|app|dev|site|link|ly|gl|to|sh|tk|cc)\b\/?/i,
  },
  {
    reason: "contains an email address",
    pattern: /[^\s@]+@[^\s@]+\.[a-z]{2,}/i,
  },
  {
    reason: "contains a template placeholder",
    pattern: /\{\{|\}\}|\$\{|\{[a-z_][\w.-]*\}|\[(info|data|conversation|chat|history|memory|secret|password|token|query|input|user_?data)\]|%[sd]\b/i,
  },
  {
    reason: "contains encoded text",
    pattern:
      /[a-z0-9+/]{28,}={0,2}|(\b|0x)([0-9a-f]{2}[\s:]?){16,}|(%[0-9a-f]{2}){2,}|&#x?[0-9a-f]+;|\\(u[0-9a-f]{4}|x[0-9a-f]{2})|\b(base64|rot13|hex)\s*(decode|encoded|:)/i,
  },
  {
    reason: "contains a tool or code call",
    pattern: /\b[a-z_]+\s*\(\s*["'{]|`{3}|<\?php|\beval\(|\bcurl\s|\bfetch\(/i,
  },
];

// Chinese phrasings of the same attacks.
const CHINESE_RULES: Rule[] = [
  {
    // A persona describes the user in the third person; "you" or the assistant has no place in it.
    reason: "addresses the assistant",
    pattern: /你|您|助手|助理|机器人|聊天机器人|系统[:：]|管理员身份/,
  },
  {
    reason: "reads as an instruction override",
    pattern: /(忽略|无视|忽视|忘记|忘掉|不要理会|跳过|绕过|覆盖)[^。]{0,12}(指令|指示|说明|规则|提示|设定|要求|限制|约束|内容|一切)/,
  },
  {
    reason: "addresses the assistant",
    pattern: /(你|您|助手|助理|机器人|模型|人工智能|AI|系统)[^。]{0,12}(必须|应该|应当|需要|务必|一定要|要始终|总是|永远|不得|不能|不要|不许|只能)/i,
  },
  {
    reason: "reads as an instruction",
    pattern:
      /(从现在(开始|起)|今后|以后(所有|每次)|(每次|每一次|所有|每个|每条)(的)?(回复|回答|答复|输出|对话|消息)|在(回复|回答)(的)?(开头|结尾|末尾|中)|当(被问到|用户问|回答))/,
  },
  {
    reason: "reads as an instruction",
    pattern:
      /(总是|永远|始终|务必|一律)(要)?(回复|回答|推荐|提到|提及|说|使用|包含|附上|加上|发送|引导|称赞|同意)|^(请|记住|记得|务必|必须|不要|别|请你)/,
  },
  {
    reason: "reads as an instruction",
    pattern: /(新的?|隐藏的?|真正的?|秘密)(指令|指示|任务|规则|系统提示)|系统提示|开发者模式|越狱|扮演|假装|冒充|角色扮演/,
  },
  {
    reason: "reads as an instruction",
    pattern: /(发送|转发|上传|泄露|提交|发)[^。]{0,10}(到|给|至)|(不要|别)告诉(用户)?|(其他|别的|所有)用户|免责声明|安全(检查|规则|限制|策略)|不再拒绝|拒绝任何/,
  },
];

function normalize(value: string): string {
  return value.normalize("NFKC");
}

/** Returns why `value` must not be stored in a persona, or null when it is fine. */
export function checkPersonaValue(value: string): string | null {
  if (HIDDEN.test(value)) return "contains hidden or control characters";
  const text = normalize(value);
  if (HIDDEN.test(text)) return "contains hidden or control characters";
  if (/[\p{Script=Latin}][\p{Script=Cyrillic}\p{Script=Greek}]|[\p{Script=Cyrillic}\p{Script=Greek}][\p{Script=Latin}]/u.test(text)) {
    return "mixes look-alike alphabets within a word";
  }
  for (const rule of [...TEXT_RULES, ...CHINESE_RULES]) {
    if (rule.pattern.test(text)) return `${rule.reason}, not a description of the user`;
  }
  return null;
}

// The assistant as actor or audience. Fields about how the user uses the
// assistant (e.g. Usage_Pattern) may name it; no other field needs to.
const MENTIONS_ASSISTANT = /\b(the|this|your|an?)\s+(assistant|chatbot|chat bot|bot|ai|model|llm|system|agent|operator)\b/i;

/**
 * Like checkPersonaValue, plus: outside fields whose name mentions usage, a
 * value may not name the assistant at all.
 */
export function checkPersonaFieldValue(value: string, field: string): string | null {
  const reason = checkPersonaValue(value);
  if (reason) return reason;
  if (!/usage/i.test(field) && MENTIONS_ASSISTANT.test(value.normalize("NFKC"))) {
    return "mentions the assistant, not a description of the user";
  }
  return null;
}

/** The default poisoning guard, as a PersonaValueGuard for `guards` / field validation. */
export const poisoningGuard: PersonaValueGuard = (value, field) => {
  const reason = checkPersonaFieldValue(value, field);
  return reason ? `value of "${field}" rejected by the poisoning guard: ${reason}` : null;
};
