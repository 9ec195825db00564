import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { PersonaMemory } from "./personaMemory.js";

export interface ForgetResult {
  /** Store items deleted (persona, history, sessions, transcripts, learning log). */
  deletedItems: number;
  /** Threads whose checkpoints were deleted. */
  deletedThreads: string[];
}

/**
 * Erases everything stored about one user: every item under the user's
 * namespaces and the checkpoints of every thread their sessions ran in.
 * Thread ids are read before anything is deleted, so a failure part-way can be
 * repeated. To make the bytes unrecoverable from a SQLite file, run the
 * persistence's `scrubDeleted()` afterwards (the CLI does).
 */
export async function forgetUser(
  memory: PersonaMemory,
  checkpointer?: Pick<BaseCheckpointSaver, "deleteThread">,
): Promise<ForgetResult> {
  const threadIds = [...new Set((await memory.sessions()).map((session) => session.threadId))];
  if (checkpointer) {
    for (const threadId of threadIds) await checkpointer.deleteThread(threadId);
  }
  const deletedItems = await memory.deleteAll();
  return { deletedItems, deletedThreads: checkpointer ? threadIds : [] };
}
