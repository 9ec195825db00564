import type { BaseCheckpointSaver } from "@langchain/langgraph";

/** Deletes superseded checkpoints of a thread, or a whole thread. */
export interface CheckpointPruner {
  pruneThread(threadId: string): Promise<{ checkpoints: number; writes: number }>;
  deleteThread(threadId: string): Promise<void>;
}

/** A pruner for the checkpointers the package knows, or undefined. */
export function checkpointPrunerFor(checkpointer: BaseCheckpointSaver): CheckpointPruner | undefined {
  void checkpointer;
  return undefined;
}
