import type { BaseStore } from "@langchain/langgraph";
import { PersonaMemory } from "../index.js";

/** The scene index a bench thread id encodes (`<userId>/scene-003/<attempt>`), or undefined. */
export function sceneIndexOfThread(threadId: string): number | undefined {
  const match = /\/scene-(\d+)\/[^/]+$/.exec(threadId);
  return match ? Number(match[1]) : undefined;
}

/**
 * Drops the sessions of scenes that never finished (a hard kill leaves the
 * scene's session behind, which would otherwise count toward k). A session is
 * kept when its thread is the recorded thread of its scene, or, for records
 * written before threads were recorded, when its scene was recorded.
 * Learned and already discarded sessions are never touched.
 *
 * @param store - The run's store.
 * @param userId - The bench user of one condition, persona and repeat.
 * @param recorded - Scene index → the recorded thread id ("" when the record has none).
 * @returns The ids of the dropped sessions.
 */
export async function discardUnfinishedSessions(
  store: BaseStore,
  userId: string,
  recorded: Map<number, string>,
): Promise<{ discarded: string[] }> {
  const memory = new PersonaMemory(store, userId);
  const stale = (await memory.sessions()).filter((session) => {
    if (session.status === "learned" || session.status === "discarded") return false;
    const index = sceneIndexOfThread(session.threadId);
    if (index === undefined || !recorded.has(index)) return true;
    const thread = recorded.get(index)!;
    return thread !== "" && thread !== session.threadId;
  });
  const discarded: string[] = [];
  for (const session of stale) {
    if (await memory.discardSession(session.sessionId, "unfinished benchmark scene")) discarded.push(session.sessionId);
  }
  return { discarded };
}
