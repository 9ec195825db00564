/**
 * The only module that knows where persona memory lives in a LangGraph Store.
 *
 * Layout, per user (the user id label is escaped so it never contains "."):
 *   ["persona", user]                  "current"   PersonaDocument
 *   ["persona", user, "history"]       <version>   PersonaVersion
 *   ["persona", user, "sessions"]      <session>   SessionRecord
 *   ["persona", user, "transcripts"]   <session>   TranscriptRecord
 *   ["persona", user, "learning"]      <run id>    LearningRecord
 *   ["persona", user, "review"]        "pending"   update waiting for human review
 *
 * Every namespace we search ends with a fixed label after the user label, so
 * even a store that matches namespaces by raw string prefix cannot mix user
 * "u1" with user "u10".
 */
export const PERSONA_ROOT = "persona";
export const CURRENT_KEY = "current";
export const MAX_USER_ID_LENGTH = 256;

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Throws a descriptive error unless `userId` is a usable user id. */
export function assertValidUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== "string" || userId.trim() === "") {
    throw new TypeError("user id must be a non-empty string");
  }
  if (userId.length > MAX_USER_ID_LENGTH) {
    throw new TypeError(`user id is longer than ${MAX_USER_ID_LENGTH} characters`);
  }
  if (CONTROL_CHARS.test(userId)) {
    throw new TypeError("user id must not contain control characters");
  }
}

/** Store labels may not contain "." or ":"; escape them (and "%", to stay reversible). */
export function encodeUserLabel(userId: string): string {
  return userId.replace(/%/g, "%25").replace(/\./g, "%2E").replace(/:/g, "%3A");
}

export function decodeUserLabel(label: string): string {
  return label.replace(/%2E/g, ".").replace(/%3A/g, ":").replace(/%25/g, "%");
}

function userRoot(userId: string): string[] {
  assertValidUserId(userId);
  return [PERSONA_ROOT, encodeUserLabel(userId)];
}

export const personaNamespace = (userId: string): string[] => userRoot(userId);
export const historyNamespace = (userId: string): string[] => [...userRoot(userId), "history"];
export const sessionsNamespace = (userId: string): string[] => [...userRoot(userId), "sessions"];
export const transcriptsNamespace = (userId: string): string[] => [
  ...userRoot(userId),
  "transcripts",
];
export const learningNamespace = (userId: string): string[] => [...userRoot(userId), "learning"];
/** A persona update waiting for human review (key PENDING_REVIEW_KEY). */
export const reviewNamespace = (userId: string): string[] => [...userRoot(userId), "review"];
export const PENDING_REVIEW_KEY = "pending";

/** Every namespace that holds data of one user (used by export and erasure). */
export function userNamespaces(userId: string): string[][] {
  return [
    personaNamespace(userId),
    historyNamespace(userId),
    sessionsNamespace(userId),
    transcriptsNamespace(userId),
    learningNamespace(userId),
    reviewNamespace(userId),
  ];
}

/** History keys sort in version order. */
export function versionKey(version: number): string {
  return String(version).padStart(10, "0");
}

export function sameNamespace(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((label, i) => label === b[i]);
}
