import type { BaseStore } from "@langchain/langgraph";
import { countTokens, formatPrompt, messageText } from "../render.js";
import { PersonaMemory, type ExtraContextInput, type TranscriptTurn } from "../index.js";
import { PAST_SESSIONS_ALL, PAST_SESSIONS_RETRIEVED } from "./prompts/pastSessions.js";
import { bm25Search } from "./retrieval.js";

interface PastSession {
  sessionId: string;
  text: string;
}

function renderTurns(turns: TranscriptTurn[]): string {
  return turns.map((turn) => `${turn.role === "user" ? "User" : "Assistant"}: ${turn.text}`).join("\n");
}

/** Transcripts of the user's sessions other than the current thread's, oldest first. */
export async function pastSessions(store: BaseStore, userId: string, threadId: string): Promise<PastSession[]> {
  const memory = new PersonaMemory(store, userId);
  const out: PastSession[] = [];
  for (const session of await memory.sessions()) {
    if (session.threadId === threadId) continue;
    const transcript = await memory.transcript(session.sessionId);
    if (transcript?.turns.length) out.push({ sessionId: session.sessionId, text: renderTurns(transcript.turns) });
  }
  return out;
}

function block(session: PastSession, index: number): string {
  return `[session ${index + 1}]\n${session.text}`;
}

/**
 * extraContext for the full-history condition: every past session, oldest
 * first; when over `budgetTokens`, the oldest sessions are left out.
 */
export function fullHistoryContext(budgetTokens: number) {
  return async (input: ExtraContextInput): Promise<string | undefined> => {
    const sessions = await pastSessions(input.store, input.userId, input.threadId);
    const kept: string[] = [];
    let used = 0;
    for (let i = sessions.length - 1; i >= 0; i--) {
      const text = block(sessions[i], i);
      const cost = countTokens(text);
      if (used + cost > budgetTokens) break;
      kept.unshift(text);
      used += cost;
    }
    return kept.length ? formatPrompt(PAST_SESSIONS_ALL, { sessions: kept.join("\n\n") }) : undefined;
  };
}

/**
 * extraContext for the rag condition: the `top` past sessions with the best
 * BM25 score against the user's messages of the current session.
 */
export function retrievedHistoryContext(top: number) {
  return async (input: ExtraContextInput): Promise<string | undefined> => {
    const sessions = await pastSessions(input.store, input.userId, input.threadId);
    const query = input.messages
      .filter((message) => message.getType() === "human")
      .map(messageText)
      .join("\n");
    const hits = bm25Search(query, sessions.map((s) => ({ id: s.sessionId, text: s.text })), top);
    if (hits.length === 0) return undefined;
    const order = new Map(sessions.map((s, i) => [s.sessionId, i]));
    const text = hits
      .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
      .map((hit) => block({ sessionId: hit.id, text: hit.text }, order.get(hit.id) ?? 0))
      .join("\n\n");
    return formatPrompt(PAST_SESSIONS_RETRIEVED, { sessions: text });
  };
}
