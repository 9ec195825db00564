/**
 * First label of every per-user namespace.
 * @example
 * personaNamespace("alice")[0] === PERSONA_ROOT; // "persona"
 */
export const PERSONA_ROOT = "persona";
/**
 * The namespace of thread ownership, shared by all users.
 * @example
 * threadOwnersNamespace(); // [THREADS_ROOT], ["persona_threads"]
 */
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

/**
 * The user's current persona and session ledger. Throws a TypeError for an unusable user id.
 * @param userId - the user (escaped into one label)
 * @returns the namespace
 * @example
 * personaNamespace("alice"); // ["persona", "alice"]
 */
export const personaNamespace = (userId: string): string[] => userRoot(userId);
/**
 * The user's persona versions (keys: zero-padded version numbers). Throws a TypeError for an unusable user id.
 * @param userId - the user (escaped into one label)
 * @returns the namespace
 * @example
 * historyNamespace("alice"); // ["persona", "alice", "history"]
 */
export const historyNamespace = (userId: string): string[] => [...userRoot(userId), "history"];
/**
 * The user's learned and discarded sessions. Throws a TypeError for an unusable user id.
 * @param userId - the user (escaped into one label)
 * @returns the namespace
 * @example
 * sessionsNamespace("alice"); // ["persona", "alice", "sessions"]
 */
export const sessionsNamespace = (userId: string): string[] => [...userRoot(userId), "sessions"];
/** Prefix of every session's transcript namespace (for erasure). */
export const transcriptsPrefix = (userId: string): string[] => [...userRoot(userId), "transcripts"];
/**
 * The recorded turns of one session. Throws a TypeError for an unusable user id.
 * @param userId - the user
 * @param sessionId - the session (escaped into one label)
 * @returns the namespace
 * @example
 * transcriptNamespace("alice", "t1#1"); // ["persona", "alice", "transcripts", "t1#1"]
 */
export const transcriptNamespace = (userId: string, sessionId: string): string[] => [
  ...transcriptsPrefix(userId),
  encodeLabel(sessionId),
];
/**
 * The threads the user opened. Throws a TypeError for an unusable user id.
 * @param userId - the user (escaped into one label)
 * @returns the namespace
 * @example
 * userThreadsNamespace("alice"); // ["persona", "alice", "threads"]
 */
export const userThreadsNamespace = (userId: string): string[] => [...userRoot(userId), "threads"];
/**
 * The user's learning log. Throws a TypeError for an unusable user id.
 * @param userId - the user (escaped into one label)
 * @returns the namespace
 * @example
 * learningNamespace("alice"); // ["persona", "alice", "learning"]
 */
export const learningNamespace = (userId: string): string[] => [...userRoot(userId), "learning"];
/**
 * The update waiting for the user's human review. Throws a TypeError for an unusable user id.
 * @param userId - the user (escaped into one label)
 * @returns the namespace
 * @example
 * reviewNamespace("alice"); // ["persona", "alice", "review"]
 */
export const reviewNamespace = (userId: string): string[] => [...userRoot(userId), "review"];
/**
 * Rows of the user moved aside because they did not fit their schema. Throws a TypeError for an unusable user id.
 * @param userId - the user (escaped into one label)
 * @returns the namespace
 * @example
 * quarantineNamespace("alice"); // ["persona", "alice", "quarantine"]
 */
export const quarantineNamespace = (userId: string): string[] => [...userRoot(userId), "quarantine"];
/**
 * Thread ownership, shared by all users: looked up by thread id at every turn.
 * @returns the namespace
 * @example
 * threadOwnersNamespace(); // ["persona_threads"]
 */
export const threadOwnersNamespace = (): string[] => [THREADS_ROOT];

/**
 * Namespaces holding one user's data that are read exactly (not by prefix); transcripts,
 * one namespace per session, are not included.
 * @param userId - the user
 * @returns the persona, history, sessions, threads, learning, review and quarantine namespaces
 * @example
 * for (const namespace of userExactNamespaces("alice")) console.log(namespace.join("/"));
 */
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
