import type { BaseMessage } from "@langchain/core/messages";
import { messageText } from "../render/messageText.js";
import type { TranscriptTurn } from "../memory/records.js";

/** Longest stored text of one turn, in characters. */
export const MAX_TURN_CHARS = 4000;

/** User messages and final assistant replies of a session, tool traffic left out. */
export function turnsFromMessages(messages: BaseMessage[]): TranscriptTurn[] {
  const turns: TranscriptTurn[] = [];
  for (const message of messages) {
    const type = message.getType();
    const text = messageText(message).trim();
    if (!text) continue;
    if (type === "human") turns.push({ role: "user", text: text.slice(0, MAX_TURN_CHARS) });
    else if (type === "ai") turns.push({ role: "assistant", text: text.slice(0, MAX_TURN_CHARS) });
  }
  return turns;
}

const ASSISTANT_CLIP = 400;

// Characters that o200k_base encodes at about one token each or more: CJK, kana, hangul and other wide scripts.
const WIDE = /[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[\u{20000}-\u{3ffff}]/gu;

/**
 * A fast token estimate that needs no tokenizer (nothing to load on the first
 * learning run): wide characters (CJK, kana, hangul) count one token each,
 * other text one token per 3.5 characters. It errs on the high side of
 * o200k_base for the texts it is used on, so a budget it enforces holds.
 * @param text any text
 * @returns estimated tokens
 * @example approximateTokens("hello world") // 4
 */
export function approximateTokens(text: string): number {
  const wide = text.match(WIDE)?.length ?? 0;
  return wide + Math.ceil((text.length - wide) / 3.5);
}

/**
 * Renders one session for the learner within a token budget: user turns are
 * kept whole where possible, assistant replies are clipped, and when still over
 * budget the middle of the session is replaced by a marker.
 */
export function renderSessionForLearner(turns: TranscriptTurn[], budgetTokens: number): string {
  const lines = turns.map((turn) =>
    turn.role === "user"
      ? `User: ${turn.text}`
      : `Assistant: ${turn.text.length > ASSISTANT_CLIP ? `${turn.text.slice(0, ASSISTANT_CLIP)}…` : turn.text}`,
  );
  // No single turn may take more than half the budget: clip it by its own chars-per-token ratio.
  const half = Math.max(1, Math.floor(budgetTokens / 2));
  for (const [i, line] of lines.entries()) {
    const tokens = approximateTokens(line);
    if (tokens > half) lines[i] = `${line.slice(0, Math.floor((line.length * half) / tokens) - 1)}…`;
  }
  const cost = lines.map((line) => approximateTokens(line) + 1);
  let total = cost.reduce((sum, n) => sum + n, 0);
  if (total <= budgetTokens) return lines.join("\n");
  // Drop lines from the middle outwards until it fits.
  const keep = lines.map(() => true);
  let low = Math.floor((lines.length - 1) / 2);
  let high = low + 1;
  let omitted = 0;
  while (total > budgetTokens && (low >= 0 || high < lines.length)) {
    const index = omitted % 2 === 0 && low >= 0 ? low-- : high < lines.length ? high++ : low--;
    keep[index] = false;
    total -= cost[index];
    omitted++;
  }
  const out: string[] = [];
  let marked = false;
  keep.forEach((kept, i) => {
    if (kept) out.push(lines[i]);
    else if (!marked) {
      out.push(`[… ${omitted} turns omitted …]`);
      marked = true;
    }
  });
  return out.join("\n");
}
