/**
 * How much of a user's past the graph keeps. Pruning runs after each learning
 * run, off the reply path; each cap bounds what it scans, so the cost of a
 * learning run stays flat as the user's history grows.
 * @example
 * const graph = createPersonaGraph({ model, retention: { keepTranscripts: 5, keepThreads: 10 } satisfies RetentionPolicy });
 */
export interface RetentionPolicy {
  /**
   * Once a thread has no open or unlearned session, delete its superseded
   * checkpoints and pending writes; its latest checkpoint stays, so the thread
   * can be resumed. Needs a checkpointer the package knows how to prune
   * (SqliteSaver, PostgresSaver, MemorySaver); others are left alone.
   * @default true
   */
  pruneCheckpoints?: boolean;
  /** Learned sessions whose transcripts are kept (the most recent ones). @default 20 */
  keepTranscripts?: number;
  /** Learned or discarded session records kept (the most recent ones). @default 50 */
  keepSessions?: number;
  /** Persona versions kept in the history; rollback works within them. The current version is always kept. @default 20 */
  keepVersions?: number;
  /** Learning-log records kept (the most recent ones). @default 50 */
  keepLearningRecords?: number;
  /**
   * Also delete the user's threads (checkpoints, ownership) older than the N
   * most recent threads whose sessions are all learned. A thread with an open
   * or unlearned session is never deleted. Makes storage per user bounded.
   * @default undefined (threads are kept)
   */
  keepThreads?: number;
}

/** A policy with every default filled in. */
export type ResolvedRetention = Required<Omit<RetentionPolicy, "keepThreads">> & { keepThreads?: number };

/** The defaults of {@link RetentionPolicy}. */
export const DEFAULT_RETENTION: ResolvedRetention = {
  pruneCheckpoints: true,
  keepTranscripts: 20,
  keepSessions: 50,
  keepVersions: 20,
  keepLearningRecords: 50,
};

/** Keeps everything: no pruning at all (for benchmarks that read the whole past). */
export const KEEP_EVERYTHING: ResolvedRetention = {
  pruneCheckpoints: false,
  keepTranscripts: Number.POSITIVE_INFINITY,
  keepSessions: Number.POSITIVE_INFINITY,
  keepVersions: Number.POSITIVE_INFINITY,
  keepLearningRecords: Number.POSITIVE_INFINITY,
};

function cap(name: string, value: number | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (value !== Number.POSITIVE_INFINITY && (!Number.isInteger(value) || value < minimum)) {
    throw new TypeError(`retention.${name} must be a whole number >= ${minimum} (or Infinity), got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Applies the defaults and checks a retention option; `false` keeps everything.
 * @param policy the caller's policy
 * @returns the policy with every field set
 * @example resolveRetention({ keepThreads: 20 })
 */
export function resolveRetention(policy: RetentionPolicy | false | undefined): ResolvedRetention {
  if (policy === false) return KEEP_EVERYTHING;
  if (policy !== undefined && (policy === null || typeof policy !== "object")) {
    throw new TypeError("options.retention must be an object (see RetentionPolicy) or false");
  }
  const p = policy ?? {};
  return {
    pruneCheckpoints: p.pruneCheckpoints ?? DEFAULT_RETENTION.pruneCheckpoints,
    keepTranscripts: cap("keepTranscripts", p.keepTranscripts, DEFAULT_RETENTION.keepTranscripts, 0),
    keepSessions: cap("keepSessions", p.keepSessions, DEFAULT_RETENTION.keepSessions, 0),
    keepVersions: cap("keepVersions", p.keepVersions, DEFAULT_RETENTION.keepVersions, 1),
    keepLearningRecords: cap("keepLearningRecords", p.keepLearningRecords, DEFAULT_RETENTION.keepLearningRecords, 0),
    ...(p.keepThreads !== undefined ? { keepThreads: cap("keepThreads", p.keepThreads, 0, 1) } : {}),
  };
}

/** What pruning does to checkpoints; implemented per checkpointer in src/store. */
export interface ThreadCheckpointCleaner {
  /** Deletes every checkpoint and pending write of the thread except its latest checkpoint. */
  pruneThread(threadId: string): Promise<unknown>;
  /** Deletes the thread's checkpoints entirely. */
  deleteThread(threadId: string): Promise<void>;
}

/** What one pruning pass removed. */
export interface PruneReport {
  prunedThreads: string[];
  deletedThreads: string[];
  deletedTranscripts: number;
  deletedSessions: number;
  deletedVersions: number;
  deletedLearningRecords: number;
}
