import type { PersonaMemory, TranscriptTurn } from "../../src/index.js";

/**
 * Records a session the way the graph does: one recordTurn per turn (the first
 * opens the session), then ends it unless `end` is false.
 */
export async function recordSession(
  memory: PersonaMemory,
  sessionId: string,
  options: { threadId?: string; turns?: TranscriptTurn[][]; end?: boolean } = {},
): Promise<void> {
  const turns = options.turns ?? [[{ role: "user", text: `hello from ${sessionId}` }]];
  for (const [index, messages] of turns.entries()) {
    await memory.recordTurn({
      sessionId,
      threadId: options.threadId ?? sessionId,
      newSession: index === 0,
      turn: { index, messages },
      endSession: options.end !== false && index === turns.length - 1,
    });
  }
}
