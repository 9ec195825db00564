// Storage plumbing: the SQLite LangGraph store, compare-and-swap commits, checkpoint pruning,
// SQLite scrubbing and the namespaces persona memory uses. openSqlitePersistence is in the root entry.
export { SqliteStore } from "./store/sqliteStore.js";
export type { SqliteStoreOptions } from "./store/sqliteStore.js";
export { scrubSqliteFile } from "./store/sqlitePersistence.js";
export type { ScrubOptions, ScrubReport } from "./store/scrubReport.js";
export { commitAtomically, supportsAtomicCommit, revOf } from "./store/atomicCommit.js";
export type { AtomicCommitStore, AtomicWrite } from "./store/atomicCommit.js";
export { checkpointPrunerFor } from "./store/checkpointRetention.js";
export type { CheckpointPruner, PruneResult } from "./store/checkpointRetention.js";
export { isPostgresUrl } from "./store/postgresUrl.js";
export {
  PERSONA_ROOT,
  THREADS_ROOT,
  personaNamespace,
  historyNamespace,
  sessionsNamespace,
  transcriptNamespace,
  userThreadsNamespace,
  learningNamespace,
  reviewNamespace,
  quarantineNamespace,
  threadOwnersNamespace,
  userExactNamespaces,
} from "./memory/namespaces.js";
