import type { BaseStore, Item } from "@langchain/langgraph";
import { randomUUID } from "node:crypto";
import type { PersonaValues } from "../schema/fields.js";
import { commitAtomically, revOf, type AtomicWrite } from "../store/atomicCommit.js";
import {
  CURRENT_KEY,
  historyNamespace,
  learningNamespace,
  PENDING_REVIEW_KEY,
  personaNamespace,
  reviewNamespace,
  sameNamespace,
  sessionsNamespace,
  transcriptsNamespace,
  userNamespaces,
  versionKey,
} from "./namespaces.js";
import type {
  AppliedChange,
  LearningRecord,
  PersonaDocument,
  PersonaVersion,
  RejectedChange,
  SessionRecord,
  SessionStatus,
  TranscriptRecord,
  TranscriptTurn,
  VersionSource,
} from "./types.js";

type Stored<T> = T & { rev: number };

/** Thrown when a compare-and-swap write keeps losing to concurrent writers. */
export class PersonaWriteConflictError extends Error {
  constructor(userId: string, attempts: number) {
    super(`persona of user "${userId}" changed concurrently ${attempts} times in a row; gave up`);
    this.name = "PersonaWriteConflictError";
  }
}

/** What a new version should contain, computed from the latest stored persona. */
export interface VersionDraft {
  persona: PersonaValues;
  changes: AppliedChange[];
  rejected: RejectedChange[];
}

export interface CommitVersionInput {
  source: VersionSource;
  /** Ended sessions this version learns from; each is claimed exactly once. */
  sessionIds?: string[];
  note?: string;
  /** Builds the draft from the latest document; called again after a conflict. */
  build: (current: PersonaDocument) => VersionDraft;
}

export interface CommitVersionResult {
  /** The new version, or undefined when nothing changed or nothing was left to claim. */
  version?: PersonaVersion;
  document: PersonaDocument;
  /** Sessions this commit marked as learned. */
  claimedSessionIds: string[];
  /** Sessions skipped because another writer had already learned them. */
  alreadyLearned: string[];
}

const PAGE = 200;
const MAX_ATTEMPTS = 25;

function now(): string {
  return new Date().toISOString();
}

function strip<T>(value: Stored<T>): T {
  const { rev: _rev, ...rest } = value;
  return rest as T;
}

async function backoff(attempt: number): Promise<void> {
  const ms = Math.min(200, 2 ** attempt) * (0.5 + Math.random());
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Reads and writes one user's persona memory in any LangGraph BaseStore. Every
 * write that can race (persona versions, session states) is a compare-and-swap
 * on a `rev` field, retried on conflict.
 */
export class PersonaMemory {
  constructor(
    readonly store: BaseStore,
    readonly userId: string,
  ) {
    personaNamespace(userId); // validates the user id up front
  }

  private async searchAll(namespace: string[], filter?: Record<string, unknown>): Promise<Item[]> {
    const items: Item[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.store.search(namespace, { filter, limit: PAGE, offset });
      // Exact namespace only: never trust a backend's prefix matching for isolation.
      items.push(...page.filter((item) => sameNamespace(item.namespace, namespace)));
      if (page.length < PAGE) return items;
    }
  }

  private emptyDocument(): PersonaDocument {
    return { userId: this.userId, version: 0, persona: {}, updatedAt: now() };
  }

  private async loadStoredDocument(): Promise<{ document: PersonaDocument; rev: number | null }> {
    const item = await this.store.get(personaNamespace(this.userId), CURRENT_KEY);
    if (!item) return { document: this.emptyDocument(), rev: null };
    return { document: strip(item.value as Stored<PersonaDocument>), rev: revOf(item.value) };
  }

  /** The current persona document (version 0 and an empty persona if none yet). */
  async load(): Promise<PersonaDocument> {
    return (await this.loadStoredDocument()).document;
  }

  async getVersion(version: number): Promise<PersonaVersion | undefined> {
    const item = await this.store.get(historyNamespace(this.userId), versionKey(version));
    return item ? (item.value as PersonaVersion) : undefined;
  }

  /** Every stored version, oldest first. */
  async history(): Promise<PersonaVersion[]> {
    const items = await this.searchAll(historyNamespace(this.userId));
    return items
      .map((item) => item.value as PersonaVersion)
      .sort((a, b) => a.version - b.version);
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const item = await this.store.get(sessionsNamespace(this.userId), sessionId);
    return item ? strip(item.value as Stored<SessionRecord>) : undefined;
  }

  /** Sessions of this user, oldest first, optionally only those in one status. */
  async sessions(status?: SessionStatus): Promise<SessionRecord[]> {
    const items = await this.searchAll(sessionsNamespace(this.userId), status ? { status } : undefined);
    return items
      .map((item) => strip(item.value as Stored<SessionRecord>))
      .filter((session) => !status || session.status === status)
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.sessionId.localeCompare(b.sessionId));
  }

  /** Registers a session; returns the stored record (the existing one if already registered). */
  async startSession(sessionId: string, threadId: string): Promise<SessionRecord> {
    const record: SessionRecord = { sessionId, threadId, status: "open", startedAt: now() };
    const written = await commitAtomically(this.store, [
      {
        namespace: sessionsNamespace(this.userId),
        key: sessionId,
        value: { ...record, rev: 1 },
        expectRev: null,
      },
    ]);
    if (written) return record;
    return (await this.getSession(sessionId)) ?? record;
  }

  /**
   * Moves an open session to "ended". Returns false when it was not open (already
   * ended or learned, or unknown), so ending twice is harmless.
   */
  async endSession(sessionId: string, reason: SessionRecord["endReason"]): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const item = await this.store.get(sessionsNamespace(this.userId), sessionId);
      if (!item) return false;
      const stored = item.value as Stored<SessionRecord>;
      if (stored.status !== "open") return false;
      const next: Stored<SessionRecord> = {
        ...stored,
        status: "ended",
        endedAt: now(),
        endReason: reason,
        rev: stored.rev + 1,
      };
      const written = await commitAtomically(this.store, [
        { namespace: sessionsNamespace(this.userId), key: sessionId, value: { ...next }, expectRev: stored.rev },
      ]);
      if (written) return true;
      await backoff(attempt);
    }
    throw new PersonaWriteConflictError(this.userId, MAX_ATTEMPTS);
  }

  async saveTranscript(sessionId: string, turns: TranscriptTurn[]): Promise<void> {
    const record: TranscriptRecord = { sessionId, turns, updatedAt: now() };
    await this.store.put(transcriptsNamespace(this.userId), sessionId, { ...record });
  }

  async transcript(sessionId: string): Promise<TranscriptRecord | undefined> {
    const item = await this.store.get(transcriptsNamespace(this.userId), sessionId);
    return item ? (item.value as TranscriptRecord) : undefined;
  }

  async recordLearning(record: Omit<LearningRecord, "id" | "at">): Promise<LearningRecord> {
    const full: LearningRecord = { id: `${Date.now().toString(36)}-${randomUUID()}`, at: now(), ...record };
    await this.store.put(learningNamespace(this.userId), full.id, { ...full });
    return full;
  }

  async learningLog(): Promise<LearningRecord[]> {
    const items = await this.searchAll(learningNamespace(this.userId));
    return items.map((item) => item.value as LearningRecord).sort((a, b) => a.at.localeCompare(b.at));
  }

  /** Stores an update that waits for human review (one per user; replaces any older one). */
  async savePendingReview(pending: Record<string, unknown>): Promise<void> {
    await this.store.put(reviewNamespace(this.userId), PENDING_REVIEW_KEY, { ...pending, savedAt: now() });
  }

  async pendingReview<T extends Record<string, unknown>>(): Promise<T | undefined> {
    const item = await this.store.get(reviewNamespace(this.userId), PENDING_REVIEW_KEY);
    return item ? (item.value as T) : undefined;
  }

  async clearPendingReview(): Promise<void> {
    await this.store.delete(reviewNamespace(this.userId), PENDING_REVIEW_KEY);
  }

  /**
   * Deletes every item of this user (all namespaces of namespaces.ts), the
   * current persona last so a half-done erasure still shows the user exists.
   * Returns how many items were deleted.
   */
  async deleteAll(): Promise<number> {
    let count = 0;
    for (const namespace of [...userNamespaces(this.userId)].reverse()) {
      const items = await this.searchAll(namespace);
      if (items.length === 0) continue;
      await this.store.batch(items.map((item) => ({ namespace: item.namespace, key: item.key, value: null })));
      count += items.length;
    }
    return count;
  }

  /**
   * Writes a new persona version with compare-and-swap on the document's rev.
   * The document, its history entry and the claimed sessions are written in one
   * atomic commit; on conflict the draft is rebuilt from the newer document.
   */
  async commitVersion(input: CommitVersionInput): Promise<CommitVersionResult> {
    const wanted = input.sessionIds ?? [];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { document, rev } = await this.loadStoredDocument();
      const claimable: Array<Stored<SessionRecord>> = [];
      const alreadyLearned: string[] = [];
      for (const sessionId of wanted) {
        const item = await this.store.get(sessionsNamespace(this.userId), sessionId);
        const session = item?.value as Stored<SessionRecord> | undefined;
        if (session?.status === "ended") claimable.push(session);
        else alreadyLearned.push(sessionId);
      }
      if (wanted.length > 0 && claimable.length === 0) {
        return { document, claimedSessionIds: [], alreadyLearned };
      }
      const draft = input.build(document);
      const changed = draft.changes.length > 0;
      const nextVersion = changed ? document.version + 1 : document.version;
      const at = now();
      const writes: AtomicWrite[] = [];
      let version: PersonaVersion | undefined;
      let nextDocument = document;
      if (changed) {
        nextDocument = { userId: this.userId, version: nextVersion, persona: draft.persona, updatedAt: at };
        version = {
          version: nextVersion,
          parentVersion: document.version,
          createdAt: at,
          source: input.source,
          changes: draft.changes,
          rejected: draft.rejected,
          sessionIds: claimable.map((session) => session.sessionId),
          persona: draft.persona,
          ...(input.note ? { note: input.note } : {}),
        };
        writes.push(
          {
            namespace: personaNamespace(this.userId),
            key: CURRENT_KEY,
            value: { ...nextDocument, rev: (rev ?? 0) + 1 },
            expectRev: rev,
          },
          {
            namespace: historyNamespace(this.userId),
            key: versionKey(nextVersion),
            value: { ...version },
            expectRev: null,
          },
        );
      } else if (rev !== null) {
        // Nothing to write, but the claim below must still be ordered after any
        // concurrent version: condition on the document being unchanged.
        writes.push({
          namespace: personaNamespace(this.userId),
          key: CURRENT_KEY,
          value: { ...document, rev },
          expectRev: rev,
        });
      }
      for (const session of claimable) {
        writes.push({
          namespace: sessionsNamespace(this.userId),
          key: session.sessionId,
          value: {
            ...session,
            status: "learned",
            learnedAt: at,
            learnedInVersion: nextVersion,
            rev: session.rev + 1,
          },
          expectRev: session.rev,
        });
      }
      if (writes.length === 0 || (await commitAtomically(this.store, writes))) {
        return {
          version,
          document: nextDocument,
          claimedSessionIds: claimable.map((session) => session.sessionId),
          alreadyLearned,
        };
      }
      await backoff(attempt);
    }
    throw new PersonaWriteConflictError(this.userId, MAX_ATTEMPTS);
  }
}
