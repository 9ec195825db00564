/**
 * The only module that knows where persona memory lives in a LangGraph Store.
 *
 * Layout, per user (labels are escaped so they never contain ".", ":" or "*"):
 *   ["persona", user]                             "current"   PersonaDocument
 *   ["persona", user]                             "ledger"    SessionLedger (open and not yet learned sessions)
 *   ["persona", user, "history"]                  <version>   PersonaVersion
 *   ["persona", user, "sessions"]                 <session>   SessionRecord (learned or discarded)
 *   ["persona", user, "transcripts", <session>]   <turn>      TurnRecord
 *   ["persona", user, "threads"]                  <thread>    ThreadOwner (the threads the user opened)
 *   ["persona", user, "learning"]                 <run id>    LearningRecord
 *   ["persona", user, "review"]                   "pending"   update waiting for human review
 *   ["persona", user, "quarantine"]               <row id>    QuarantinedRow
 * and one namespace shared by all users, looked up by thread id:
 *   ["persona_threads"]                           <thread>    ThreadOwner
 *
 * Every namespace we search ends with a fixed label after the user label, so
 * even a store that matches namespaces by raw string prefix cannot mix user
 * "u1" with user "u10".
 */
export const PERSONA_ROOT = "persona";
export const THREADS_ROOT = "persona_threads";
export const CURRENT_KEY = "current";
export const LEDGER_KEY = "ledger";
export const PENDING_REVIEW_KEY = "pending";
export const MAX_ID_LENGTH = 256;

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Why a user or thread id cannot be used, or null. Ids are compared exactly:
 * they must be non-empty strings of at most 256 characters, without control
 * characters or surrounding whitespace (" alice" is refused, never silently a
 * second user).
 */
export function idProblem(id: unknown, what: "user id" | "thread id"): string | null {
  if (typeof id !== "string" || id === "") return `${what} must be a non-empty string`;
  if (id.trim() === "") return `${what} must not be only whitespace`;
  if (id.trim() !== id) return `${what} ${JSON.stringify(id)} has surrounding whitespace; ids are compared exactly`;
  if (id.length > MAX_ID_LENGTH) return `${what} is longer than ${MAX_ID_LENGTH} characters`;
  if (CONTROL_CHARS.test(id)) return `${what} must not contain control characters`;
  return null;
}

/** Throws a descriptive error unless `userId` is a usable user id (see {@link idProblem}). */
export function assertValidUserId(userId: unknown): asserts userId is string {
  const problem = idProblem(userId, "user id");
  if (problem) throw new TypeError(problem);
}

/**
 * Store labels may not contain "."; ":" and "*" have meanings in some stores'
 * namespace matching. Escape them (and "%", to stay reversible).
 */
export function encodeLabel(value: string): string {
  return value.replace(/%/g, "%25").replace(/\./g, "%2E").replace(/:/g, "%3A").replace(/\*/g, "%2A");
}

export function decodeLabel(label: string): string {
  return label.replace(/%2E/g, ".").replace(/%3A/g, ":").replace(/%2A/g, "*").replace(/%25/g, "%");
}

function userRoot(userId: string): string[] {
  assertValidUserId(userId);
  return [PERSONA_ROOT, encodeLabel(userId)];
}

export const personaNamespace = (userId: string): string[] => userRoot(userId);
export const historyNamespace = (userId: string): string[] => [...userRoot(userId), "history"];
export const sessionsNamespace = (userId: string): string[] => [...userRoot(userId), "sessions"];
/** Prefix of every session's transcript namespace (for erasure). */
export const transcriptsPrefix = (userId: string): string[] => [...userRoot(userId), "transcripts"];
export const transcriptNamespace = (userId: string, sessionId: string): string[] => [
  ...transcriptsPrefix(userId),
  encodeLabel(sessionId),
];
export const userThreadsNamespace = (userId: string): string[] => [...userRoot(userId), "threads"];
export const learningNamespace = (userId: string): string[] => [...userRoot(userId), "learning"];
export const reviewNamespace = (userId: string): string[] => [...userRoot(userId), "review"];
export const quarantineNamespace = (userId: string): string[] => [...userRoot(userId), "quarantine"];
/** Thread ownership, shared by all users: looked up by thread id at every turn. */
export const threadOwnersNamespace = (): string[] => [THREADS_ROOT];

/** Namespaces holding one user's data that are read exactly (not by prefix). */
export function userExactNamespaces(userId: string): string[][] {
  return [
    personaNamespace(userId),
    historyNamespace(userId),
    sessionsNamespace(userId),
    userThreadsNamespace(userId),
    learningNamespace(userId),
    reviewNamespace(userId),
    quarantineNamespace(userId),
  ];
}

/** History keys sort in version order. */
export function versionKey(version: number): string {
  return String(version).padStart(10, "0");
}

/** Transcript keys sort in turn order. */
export function turnKey(index: number): string {
  return String(index).padStart(6, "0");
}

export function sameNamespace(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((label, i) => label === b[i]);
}

/** A namespace as one readable path ("persona/alice/history"), for messages. */
export function describeNamespace(namespace: readonly string[]): string {
  return namespace.join("/");
}
