import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { PersonaMemory } from "./personaMemory.js";

/**
 * What {@link forgetUser} deleted and what it left alone.
 * @example
 * const { deletedItems, deletedThreads } = await forgetUser(memory, checkpointer);
 */
export interface ForgetResult {
  /** Store items deleted (persona, history, sessions, transcripts, threads, learning log, review, quarantine). */
  deletedItems: number;
  /** Threads whose checkpoints were deleted: every thread the user opened. */
  deletedThreads: string[];
  /**
   * Threads named by the user's sessions that have no ownership record (made
   * before ownership was recorded) or belong to someone else: left alone.
   */
  skippedThreads: string[];
}

/**
 * Erases everything stored about one user: every item under the user's
 * namespaces and the checkpoints of every thread the user opened (including
 * threads whose first message was refused or whose first turn failed). A
 * thread owned by another user is never touched. Thread ids are read before
 * anything is deleted, so a failure part-way can be repeated. To make the bytes
 * unrecoverable from the database files, run the persistence's
 * `scrubDeleted()` afterwards (the CLI does).
 *
 * @param memory the user's memory
 * @param checkpointer the checkpointer whose threads to delete (omit to keep checkpoints)
 * @returns what was deleted and what was left alone
 * @example await forgetUser(new PersonaMemory(store, "alice"), checkpointer)
 */
export async function forgetUser(
  memory: PersonaMemory,
  checkpointer?: Pick<BaseCheckpointSaver, "deleteThread">,
): Promise<ForgetResult> {
  const owned = new Set<string>();
  for (const thread of await memory.threads()) {
    if ((await memory.threadOwner(thread.threadId))?.userId === memory.userId) owned.add(thread.threadId);
  }
  const skipped = new Set<string>();
  for (const session of await memory.sessions()) {
    if (!owned.has(session.threadId)) skipped.add(session.threadId);
  }
  if (checkpointer) {
    for (const threadId of owned) await checkpointer.deleteThread(threadId);
  }
  const deletedItems = await memory.deleteAll();
  return { deletedItems, deletedThreads: checkpointer ? [...owned] : [], skippedThreads: [...skipped] };
}
