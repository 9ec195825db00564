import type { BaseStore, Item, Operation } from "@langchain/langgraph";
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { defaultPersonaSchema } from "../schema/defaultSchema.js";
import type { PersonaValues } from "../schema/fields.js";
import { parsePersona } from "../schema/parsePersona.js";
import { commitAtomically, revOf, unwrapStore, type AtomicWrite } from "../store/atomicCommit.js";
import {
  CURRENT_KEY,
  decodeLabel,
  describeNamespace,
  historyNamespace,
  LEDGER_KEY,
  learningNamespace,
  PENDING_REVIEW_KEY,
  personaNamespace,
  quarantineNamespace,
  reviewNamespace,
  sameNamespace,
  sessionsNamespace,
  threadOwnersNamespace,
  transcriptNamespace,
  transcriptsPrefix,
  turnKey,
  userExactNamespaces,
  userThreadsNamespace,
  versionKey,
} from "./namespaces.js";
import type { PruneReport, ResolvedRetention, ThreadCheckpointCleaner } from "./retention.js";
import {
  LearningRecordSchema,
  PendingReviewSchema,
  PersonaDocumentSchema,
  PersonaVersionSchema,
  SessionLedgerSchema,
  SessionRecordSchema,
  ThreadOwnerSchema,
  TurnRecordSchema,
  type AppliedChange,
  type KnownFields,
  type LearningRecord,
  type PersonaDocument,
  type PersonaVersion,
  type RejectedChange,
  type SessionLedger,
  type SessionRecord,
  type SessionStatus,
  type ThreadOwner,
  type TranscriptRecord,
  type TranscriptTurn,
  type TurnRecord,
  type VersionSource,
} from "./records.js";

/**
 * Thrown when a compare-and-swap write keeps losing to concurrent writers
 * (25 attempts in a row); nothing of the losing write was stored.
 * @example
 * try {
 *   await memory.commitVersion(input);
 * } catch (error) {
 *   if (error instanceof PersonaWriteConflictError) console.warn(error.message);
 * }
 */
export class PersonaWriteConflictError extends Error {
  /**
   * @param userId - the user whose rows kept changing
   * @param attempts - how many writes were tried
   */
  constructor(userId: string, attempts: number) {
    super(`persona of user "${userId}" changed concurrently ${attempts} times in a row; gave up`);
    this.name = "PersonaWriteConflictError";
  }
}

/** Thrown when a run uses a thread that another user opened. Nothing was read, sent or written. */
export class PersonaThreadOwnershipError extends Error {
  constructor(
    readonly threadId: string,
    readonly userId: string,
  ) {
    super(
      `thread "${threadId}" belongs to another user; user "${userId}" cannot use it. Start a new thread (a new thread_id).`,
    );
    this.name = "PersonaThreadOwnershipError";
  }
}

/** A stored row that does not fit its schema: where it is and why it was not used. */
export interface RecordProblem {
  namespace: string[];
  key: string;
  reason: string;
  /** The persona field, when only one field of the row does not fit the schema. */
  field?: string;
}

/** One line naming the row and the reason, for warnings. */
export function describeRecordProblem(problem: RecordProblem): string {
  return `${describeNamespace(problem.namespace)} [${problem.key}]: ${problem.reason}`;
}

/**
 * What a new version should contain, computed from the latest stored persona
 * (returned by {@link CommitVersionInput.build}).
 * @example
 * const draft: VersionDraft = { persona: { Name: "Alice" }, changes: [], rejected: [] };
 */
export interface VersionDraft {
  persona: PersonaValues;
  changes: AppliedChange[];
  rejected: RejectedChange[];
}

/**
 * The input of {@link PersonaMemory.commitVersion}: where the version comes from,
 * the sessions it learns from and how to build it from the latest document.
 * @example
 * const input: CommitVersionInput = {
 *   source: "manual",
 *   build: (current) => ({ persona: { ...current.persona, Name: "Alice" }, changes: [], rejected: [] }),
 * };
 */
export interface CommitVersionInput {
  source: VersionSource;
  /** Ended sessions this version learns from; each is claimed once. */
  sessionIds?: string[];
  /**
   * How many turns of each session the learner read.
   * Turns recorded after that stay pending and are learned by a later run.
   * @default every recorded turn
   */
  turnsRead?: Record<string, number>;
  note?: string;
  /** Builds the draft from the latest document; called again after a conflict. */
  build: (current: PersonaDocument) => VersionDraft;
}

/**
 * What {@link PersonaMemory.commitVersion} wrote.
 * @example
 * const { version, document } = await memory.commitVersion(input);
 * console.log(version ? `version ${version.version}` : "nothing changed", document.persona);
 */
export interface CommitVersionResult {
  /** The new version, or undefined when nothing changed or nothing was left to claim. */
  version?: PersonaVersion;
  document: PersonaDocument;
  /** Sessions this commit marked as learned. */
  claimedSessionIds: string[];
  /** Threads of the claimed sessions. */
  claimedThreadIds: string[];
  /** Sessions skipped because another writer had already learned them. */
  alreadyLearned: string[];
}

/** Everything a turn needs from the store, read in one round trip. */
export interface TurnContext {
  /** Who owns the thread; null when nobody has used it yet. */
  owner: ThreadOwner | null;
  /** The persona with every field that fits the schema (an empty persona when the row is unusable). */
  document: PersonaDocument;
  ledger: SessionLedger;
  ledgerRev: number | null;
  /** Rows that did not fit their schema and were not used. */
  problems: RecordProblem[];
}

/** One finished turn of a session, as the session recorder saves it. */
export interface RecordTurnInput {
  sessionId: string;
  threadId: string;
  /** True when this turn opened the session: other open sessions of the user end now. */
  newSession?: boolean;
  /** The turn's transcript; omit for an end-only update. */
  turn?: { index: number; messages: TranscriptTurn[]; partial?: boolean };
  /** End the session after this turn. */
  endSession?: boolean;
  /** The ledger as read when the turn opened; saves a read when nothing changed since. */
  known?: { ledger: SessionLedger; rev: number | null };
}

export interface RecordTurnResult {
  /** The session after the write (undefined when it is unknown, e.g. discarded). */
  session?: SessionRecord;
  /** Ended sessions with turns not yet learned. */
  pendingCount: number;
  /** Sessions ended by this write. */
  endedSessionIds: string[];
}

/**
 * Options of {@link PersonaMemory}.
 * @example
 * const memory = new PersonaMemory(store, "alice", { schema: mySchema });
 */
export interface PersonaMemoryOptions {
  /**
   * The persona schema: stored persona values are read field by field against it;
   * values that do not fit are reported and never used or carried forward.
   * @default defaultPersonaSchema
   */
  schema?: z.ZodType;
}

const PAGE = 200;
const MAX_ATTEMPTS = 25;
const EMPTY_LEDGER: SessionLedger = { sessions: [] };

function now(): string {
  return new Date().toISOString();
}

async function backoff(attempt: number): Promise<void> {
  const ms = Math.min(200, 2 ** attempt) * (0.5 + Math.random());
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function withoutRev<T extends Record<string, unknown>>(value: T): T {
  const { rev: _rev, ...rest } = value;
  return rest as T;
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`)
    .join("; ");
}

function isPending(session: SessionRecord): boolean {
  return session.status === "ended" && session.turns > session.learnedTurns;
}

function bySessionStart(a: SessionRecord, b: SessionRecord): number {
  return a.startedAt.localeCompare(b.startedAt) || a.sessionId.localeCompare(b.sessionId);
}

const parsedCache = new WeakMap<object, Map<string, ReturnType<typeof parsePersona>>>();
const MAX_PARSED = 1000;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

/**
 * parsePersona, remembered per schema and stored persona: every turn reads the
 * same document. The result is frozen, so no caller can change the shared copy.
 */
function parsedPersona(stored: unknown, schema: z.ZodType): ReturnType<typeof parsePersona> {
  let cache = parsedCache.get(schema);
  if (!cache) parsedCache.set(schema, (cache = new Map()));
  const key = JSON.stringify(stored);
  let parsed = cache.get(key);
  if (!parsed) {
    parsed = deepFreeze(parsePersona(stored, schema));
    if (cache.size >= MAX_PARSED) cache.clear();
    cache.set(key, parsed);
  }
  return parsed;
}

/** A read row: the parsed value when it fits its schema, and its raw revision for compare-and-swap. */
interface ReadRow<T> {
  value?: T;
  rev: number | null;
  raw?: unknown;
  problem?: RecordProblem;
}

/**
 * Reads and writes one user's persona memory in any LangGraph BaseStore.
 * Every row read is parsed against its record schema (src/memory/records.ts);
 * rows that do not fit are reported in `problems` and never used. Every write
 * that can race (persona versions, the session ledger, thread ownership) is a
 * compare-and-swap on a `rev` field, retried on conflict.
 *
 * @example
 * const memory = new PersonaMemory(store, "alice");
 * const { persona, version } = await memory.load();
 */
export class PersonaMemory {
  /** Rows met by this instance's reads that did not fit their schema. */
  readonly problems: RecordProblem[] = [];
  private readonly raw: BaseStore;
  private readonly schema: z.ZodType;

  /**
   * @param store any LangGraph store (inside a graph run, `config.store`)
   * @param userId the user, compared exactly (see `idProblem`)
   * @param options `schema`: the persona schema (default: the paper's)
   */
  constructor(
    readonly store: BaseStore,
    readonly userId: string,
    options: PersonaMemoryOptions = {},
  ) {
    personaNamespace(userId); // validates the user id up front
    // Inside a graph, config.store batches calls on a timer tick; talk to the store itself.
    this.raw = unwrapStore(store);
    this.schema = options.schema ?? defaultPersonaSchema;
  }

  // ---- reading rows --------------------------------------------------------------------------

  private note(problem: RecordProblem): RecordProblem {
    if (!this.problems.some((p) => sameNamespace(p.namespace, problem.namespace) && p.key === problem.key && p.reason === problem.reason)) {
      this.problems.push(problem);
    }
    return problem;
  }

  private parseRow<T extends Record<string, unknown>>(
    schema: z.ZodType<T>,
    item: Item | null | undefined,
    namespace: string[],
    key: string,
  ): ReadRow<T> {
    if (!item) return { rev: null };
    const raw = item.value as unknown;
    // The row exists: its revision is at least 0, whatever its value (the stores' rule too).
    const rev = revOf(raw) ?? 0;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      return { rev, raw, problem: this.note({ namespace, key, reason: `does not fit its record: ${issuesOf(parsed.error)}` }) };
    }
    return { value: withoutRev(parsed.data), rev, raw };
  }

  private async searchAll(namespace: string[]): Promise<Item[]> {
    const items: Item[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.raw.search(namespace, { limit: PAGE, offset });
      // Exact namespace only: never trust a backend's prefix matching for isolation.
      items.push(...page.filter((item) => sameNamespace(item.namespace, namespace)));
      if (page.length < PAGE) return items;
    }
  }

  private async searchPrefix(prefix: string[]): Promise<Item[]> {
    const items: Item[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.raw.search(prefix, { limit: PAGE, offset });
      items.push(...page.filter((item) => item.namespace.length > prefix.length && sameNamespace(item.namespace.slice(0, prefix.length), prefix)));
      if (page.length < PAGE) return items;
    }
  }

  private parseAll<T extends Record<string, unknown>>(schema: z.ZodType<T>, items: Item[]): T[] {
    const out: T[] = [];
    for (const item of items) {
      const row = this.parseRow(schema, item, item.namespace, item.key);
      if (row.value) out.push(row.value);
    }
    return out;
  }

  private emptyDocument(): PersonaDocument {
    return { userId: this.userId, version: 0, persona: {}, updatedAt: now() };
  }

  /** The document row, parsed; persona fields that do not fit the schema are left out and reported. */
  private readDocument(item: Item | null | undefined): ReadRow<PersonaDocument> & { document: PersonaDocument } {
    const namespace = personaNamespace(this.userId);
    const row = this.parseRow(PersonaDocumentSchema, item, namespace, CURRENT_KEY);
    if (!row.value) return { ...row, document: this.emptyDocument() };
    if (row.value.userId !== this.userId) {
      const problem = this.note({ namespace, key: CURRENT_KEY, reason: `belongs to user ${JSON.stringify(row.value.userId)}` });
      return { rev: row.rev, raw: row.raw, problem, document: this.emptyDocument() };
    }
    const { persona, issues, unknownKeys } = parsedPersona(row.value.persona, this.schema);
    for (const issue of issues) {
      this.note({ namespace, key: CURRENT_KEY, field: issue.path, reason: `field ${issue.path} left out: ${issue.message}` });
    }
    for (const path of unknownKeys) {
      this.note({ namespace, key: CURRENT_KEY, field: path, reason: `field ${path} left out: not in the persona schema` });
    }
    return { ...row, document: { ...row.value, persona } };
  }

  private readLedger(item: Item | null | undefined): ReadRow<SessionLedger> & { ledger: SessionLedger } {
    const row = this.parseRow(SessionLedgerSchema, item, personaNamespace(this.userId), LEDGER_KEY);
    return { ...row, ledger: row.value ?? EMPTY_LEDGER };
  }

  private async getRow(namespace: string[], key: string): Promise<Item | null> {
    return this.raw.get(namespace, key);
  }

  /**
   * The current persona document.
   * @returns the document; version 0 and an empty persona when there is none, or when its row is unusable
   * @example
   * const { version, persona } = await memory.load();
   */
  async load(): Promise<PersonaDocument> {
    return this.readDocument(await this.getRow(personaNamespace(this.userId), CURRENT_KEY)).document;
  }

  /**
   * What a turn needs, in one store round trip: the thread's owner, the
   * persona and the session ledger.
   * @param threadId - the thread the turn runs in
   * @returns the owner (null for a new thread), the persona document, the ledger and any unusable rows
   * @example
   * const { owner, document } = await memory.openTurn("t1");
   */
  async openTurn(threadId: string): Promise<TurnContext> {
    const persona = personaNamespace(this.userId);
    const operations: Operation[] = [
      { namespace: threadOwnersNamespace(), key: threadId },
      { namespace: persona, key: CURRENT_KEY },
      { namespace: persona, key: LEDGER_KEY },
    ];
    const [ownerItem, documentItem, ledgerItem] = (await this.raw.batch(operations)) as Array<Item | null>;
    const before = this.problems.length;
    const owner = this.readOwner(threadId, ownerItem);
    const document = this.readDocument(documentItem).document;
    const ledger = this.readLedger(ledgerItem);
    return { owner, document, ledger: ledger.ledger, ledgerRev: ledger.rev, problems: this.problems.slice(before) };
  }

  private readOwner(threadId: string, item: Item | null | undefined): ThreadOwner | null {
    const row = this.parseRow(ThreadOwnerSchema, item, threadOwnersNamespace(), threadId);
    if (row.problem) {
      // An unreadable owner row cannot prove the thread is this user's: refuse rather than guess.
      throw new Error(
        `persona memory: the owner row of thread "${threadId}" is unreadable (${row.problem.reason}); run persona doctor`,
      );
    }
    return row.value ?? null;
  }

  /**
   * Who owns a thread.
   * @param threadId - the thread
   * @returns its owner record, or null when nobody has used the thread
   * @example
   * const owner = await memory.threadOwner("t1"); // { threadId: "t1", userId: "alice", createdAt } or null
   */
  async threadOwner(threadId: string): Promise<ThreadOwner | null> {
    return this.readOwner(threadId, await this.getRow(threadOwnersNamespace(), threadId));
  }

  // ---- threads -------------------------------------------------------------------------------

  /**
   * Records this user as the owner of a thread (first come, first served).
   * Throws PersonaThreadOwnershipError when another user owns it.
   * @param threadId - the thread to claim
   * @returns the owner record (this user's, new or existing)
   * @example
   * await memory.claimThread("t1");
   */
  async claimThread(threadId: string): Promise<ThreadOwner> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // Write first: a thread is claimed on its first turn, when nobody owns it yet; only a failed
      // write (the thread has an owner) needs the read.
      const owner: ThreadOwner = { threadId, userId: this.userId, createdAt: now() };
      const written = await commitAtomically(this.raw, [
        { namespace: threadOwnersNamespace(), key: threadId, value: { ...owner, rev: 1 }, expectRev: null },
        { namespace: userThreadsNamespace(this.userId), key: threadId, value: { ...owner } },
      ]);
      if (written) return owner;
      const existing = await this.threadOwner(threadId);
      if (existing) {
        if (existing.userId !== this.userId) throw new PersonaThreadOwnershipError(threadId, this.userId);
        return existing;
      }
    }
    throw new PersonaWriteConflictError(this.userId, MAX_ATTEMPTS);
  }

  /**
   * The threads this user opened.
   * @returns their owner records, oldest first
   * @example
   * const ids = (await memory.threads()).map((owner) => owner.threadId);
   */
  async threads(): Promise<ThreadOwner[]> {
    const items = await this.searchAll(userThreadsNamespace(this.userId));
    return this.parseAll(ThreadOwnerSchema, items).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  // ---- sessions ------------------------------------------------------------------------------

  private async ledgerNow(): Promise<{ ledger: SessionLedger; rev: number | null; raw?: unknown; problem?: RecordProblem }> {
    return this.readLedger(await this.getRow(personaNamespace(this.userId), LEDGER_KEY));
  }

  /** The ledger write of a compare-and-swap; an unusable ledger row is moved to quarantine first. */
  private ledgerWrites(next: SessionLedger, current: { rev: number | null; raw?: unknown; problem?: RecordProblem }): AtomicWrite[] {
    const writes: AtomicWrite[] = [
      {
        namespace: personaNamespace(this.userId),
        key: LEDGER_KEY,
        value: { ...next, rev: (current.rev ?? 0) + 1 },
        expectRev: current.rev,
      },
    ];
    if (current.problem) writes.push(this.quarantineWrite(current.problem, current.raw));
    return writes;
  }

  private quarantineWrite(problem: RecordProblem, raw: unknown): AtomicWrite {
    const at = now();
    return {
      namespace: quarantineNamespace(this.userId),
      key: `${at}:${describeNamespace(problem.namespace)}:${problem.key}`,
      value: { namespace: problem.namespace, key: problem.key, reason: problem.reason, value: raw ?? null, at },
    };
  }

  private async archivedSession(sessionId: string): Promise<SessionRecord | undefined> {
    const item = await this.getRow(sessionsNamespace(this.userId), sessionId);
    return this.parseRow(SessionRecordSchema, item, sessionsNamespace(this.userId), sessionId).value;
  }

  /**
   * Saves one finished turn and updates the session ledger in one atomic
   * commit: a session exists from its first recorded turn, so learning can
   * never claim a session whose transcript is not saved. A turn recorded after
   * its session was learned puts the session back in line (its new turns are
   * learned by the next run). The first turn of a new session ends the user's
   * other open sessions.
   * @param input - the session, thread, turn transcript and whether the turn opens or ends the session
   * @returns the session after the write, how many ended sessions wait for learning, and the sessions this write ended
   * @example
   * await memory.recordTurn({
   *   sessionId: "t1#1",
   *   threadId: "t1",
   *   turn: { index: 0, messages: [{ role: "user", text: "hi" }, { role: "assistant", text: "hello" }] },
   *   endSession: true,
   * });
   */
  async recordTurn(input: RecordTurnInput): Promise<RecordTurnResult> {
    let known: { ledger: SessionLedger; rev: number | null; raw?: unknown; problem?: RecordProblem } | undefined = input.known;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = known ?? (await this.ledgerNow());
      known = undefined;
      const at = now();
      const sessions = current.ledger.sessions.map((session) => ({ ...session }));
      const endedSessionIds: string[] = [];
      let session = sessions.find((candidate) => candidate.sessionId === input.sessionId);
      if (input.turn) {
        if (!session && !input.newSession) {
          // Learned (or discarded) while this turn ran: a late turn is learned next time, a discarded session stays discarded.
          const archived = await this.archivedSession(input.sessionId);
          if (archived?.status === "discarded") return { pendingCount: sessions.filter(isPending).length, endedSessionIds };
          session = {
            ...(archived ?? { sessionId: input.sessionId, threadId: input.threadId, startedAt: at, learnedTurns: 0 }),
            status: "ended",
            endedAt: archived?.endedAt ?? at,
            turns: 0,
          } as SessionRecord;
          sessions.push(session);
        } else if (!session) {
          session = { sessionId: input.sessionId, threadId: input.threadId, status: "open", startedAt: at, turns: 0, learnedTurns: 0 };
          for (const other of sessions) {
            if (other.status === "open") {
              Object.assign(other, { status: "ended", endedAt: at, endReason: "new_thread" });
              endedSessionIds.push(other.sessionId);
            }
          }
          sessions.push(session);
        }
        session.turns = Math.max(session.turns, input.turn.index + 1);
        session.lastTurnAt = at;
      }
      if (input.endSession && session?.status === "open") {
        Object.assign(session, { status: "ended", endedAt: at, endReason: "explicit" });
        endedSessionIds.push(session.sessionId);
      }
      const writes: AtomicWrite[] = [];
      if (input.turn) {
        const record: TurnRecord = {
          index: input.turn.index,
          messages: input.turn.messages,
          at,
          ...(input.turn.partial ? { partial: true } : {}),
        };
        writes.push({ namespace: transcriptNamespace(this.userId, input.sessionId), key: turnKey(input.turn.index), value: { ...record } });
      }
      const changed = writes.length > 0 || endedSessionIds.length > 0;
      if (!changed) return { session, pendingCount: sessions.filter(isPending).length, endedSessionIds };
      writes.push(...this.ledgerWrites({ ...current.ledger, sessions }, current));
      if (await commitAtomically(this.raw, writes)) {
        return { session, pendingCount: sessions.filter(isPending).length, endedSessionIds };
      }
      await backoff(attempt);
    }
    throw new PersonaWriteConflictError(this.userId, MAX_ATTEMPTS);
  }

  private async updateLedger(
    change: (sessions: SessionRecord[], at: string, next: SessionLedger) => { writes?: AtomicWrite[]; result: boolean },
  ): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.ledgerNow();
      const sessions = current.ledger.sessions.map((session) => ({ ...session }));
      const next: SessionLedger = { ...current.ledger, sessions };
      const { writes = [], result } = change(sessions, now(), next);
      if (!result) return false;
      if (await commitAtomically(this.raw, [...this.ledgerWrites(next, current), ...writes])) return true;
      await backoff(attempt);
    }
    throw new PersonaWriteConflictError(this.userId, MAX_ATTEMPTS);
  }

  /**
   * Moves an open session to "ended", so it counts toward learning.
   * @param sessionId - the session
   * @param reason - "explicit" (the user ended it) or "new_thread" (a new session began elsewhere)
   * @returns false when it was not open (already ended, learned or unknown), so ending twice is harmless
   * @example
   * await memory.endSession("t1#1", "explicit");
   */
  async endSession(sessionId: string, reason: NonNullable<SessionRecord["endReason"]>): Promise<boolean> {
    return this.updateLedger((sessions, at) => {
      const session = sessions.find((candidate) => candidate.sessionId === sessionId);
      if (session?.status !== "open") return { result: false };
      Object.assign(session, { status: "ended", endedAt: at, endReason: reason });
      return { result: true };
    });
  }

  /**
   * Takes a session out of learning for good (for example an interrupted
   * benchmark scene): it never counts toward k and is never learned. Its
   * transcript is kept.
   * @param sessionId - the session
   * @param reason - why, stored on the session record (default "discarded")
   * @returns false when the session is not in the ledger
   * @example
   * await memory.discardSession("t1#1", "scene interrupted");
   */
  async discardSession(sessionId: string, reason = "discarded"): Promise<boolean> {
    return this.updateLedger((sessions, at) => {
      const index = sessions.findIndex((candidate) => candidate.sessionId === sessionId);
      if (index < 0) return { result: false };
      const [session] = sessions.splice(index, 1);
      const archived: SessionRecord = {
        ...session!,
        status: "discarded",
        endedAt: session!.endedAt ?? at,
        discardedAt: at,
        discardReason: reason,
      };
      return { result: true, writes: [{ namespace: sessionsNamespace(this.userId), key: sessionId, value: { ...archived } }] };
    });
  }

  /**
   * Ended sessions with turns not learned yet.
   * @returns the sessions, oldest first
   * @example
   * const due = (await memory.pendingSessions()).length >= 3;
   */
  async pendingSessions(): Promise<SessionRecord[]> {
    return (await this.ledgerNow()).ledger.sessions.filter(isPending).sort(bySessionStart);
  }

  /**
   * One session record, from the ledger or the archive of learned sessions.
   * @param sessionId - the session
   * @returns the record, or undefined when the session is unknown
   * @example
   * const session = await memory.getSession("t1#1");
   */
  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const inLedger = (await this.ledgerNow()).ledger.sessions.find((session) => session.sessionId === sessionId);
    return inLedger ?? (await this.archivedSession(sessionId));
  }

  /**
   * Sessions of this user, optionally only those in one status.
   * @param status - "open", "ended", "learned" or "discarded"; omitted: all
   * @returns the sessions, oldest first
   * @example
   * const learned = await memory.sessions("learned");
   */
  async sessions(status?: SessionStatus): Promise<SessionRecord[]> {
    const ledger = (await this.ledgerNow()).ledger.sessions;
    const archived = status === "open" || status === "ended" ? [] : this.parseAll(SessionRecordSchema, await this.searchAll(sessionsNamespace(this.userId)));
    const inLedger = new Set(ledger.map((session) => session.sessionId));
    return [...ledger, ...archived.filter((session) => !inLedger.has(session.sessionId))]
      .filter((session) => !status || session.status === status)
      .sort(bySessionStart);
  }

  // ---- transcripts ---------------------------------------------------------------------------

  /**
   * The recorded turns of a session; unusable rows are reported in `problems` and skipped.
   * @param sessionId - the session
   * @param fromTurn - index of the first turn to return (default 0)
   * @returns the turn records, in order
   * @example
   * const turns = await memory.turns("t1#1");
   */
  async turns(sessionId: string, fromTurn = 0): Promise<TurnRecord[]> {
    const items = await this.searchAll(transcriptNamespace(this.userId, sessionId));
    return this.parseAll(TurnRecordSchema, items)
      .filter((turn) => turn.index >= fromTurn)
      .sort((a, b) => a.index - b.index);
  }

  /**
   * A session's transcript: the user messages and the replies shown.
   * @param sessionId - the session
   * @returns the transcript, or undefined when nothing was recorded
   * @example
   * const transcript = await memory.transcript("t1#1");
   */
  async transcript(sessionId: string): Promise<TranscriptRecord | undefined> {
    const turns = await this.turns(sessionId);
    if (turns.length === 0) return undefined;
    return { sessionId, turns: turns.flatMap((turn) => turn.messages) };
  }

  // ---- history, learning log, review ---------------------------------------------------------

  /**
   * One stored persona version.
   * @param version - the version number (1 is the first learned version)
   * @returns the version, or undefined when it is not stored or its row is unusable
   * @example
   * const first = await memory.getVersion(1);
   */
  async getVersion(version: number): Promise<PersonaVersion | undefined> {
    const namespace = historyNamespace(this.userId);
    const key = versionKey(version);
    return this.parseRow(PersonaVersionSchema, await this.getRow(namespace, key), namespace, key).value;
  }

  /**
   * Every stored version; unusable rows are reported in `problems` and skipped.
   * @returns the versions, oldest first
   * @example
   * for (const v of await memory.history()) console.log(v.version, v.source, v.changes.length);
   */
  async history(): Promise<PersonaVersion[]> {
    return this.parseAll(PersonaVersionSchema, await this.searchAll(historyNamespace(this.userId))).sort(
      (a, b) => a.version - b.version,
    );
  }

  /**
   * Appends one learning run to the learning log (id and time are added).
   * @param record - the run's outcome, sessions, applied and rejected changes
   * @returns the stored record
   * @example
   * await memory.recordLearning({ sessionIds: ["t1#1"], outcome: "no_changes", appliedCount: 0, rejected: [] });
   */
  async recordLearning(record: Omit<KnownFields<LearningRecord>, "id" | "at">): Promise<LearningRecord> {
    const full: LearningRecord = { id: `${Date.now().toString(36)}-${randomUUID()}`, at: now(), ...record };
    await this.raw.put(learningNamespace(this.userId), full.id, { ...full });
    return full;
  }

  /**
   * Every learning run; unusable rows are reported in `problems` and skipped.
   * @returns the records, oldest first
   * @example
   * const last = (await memory.learningLog()).at(-1);
   */
  async learningLog(): Promise<LearningRecord[]> {
    return this.parseAll(LearningRecordSchema, await this.searchAll(learningNamespace(this.userId))).sort((a, b) =>
      a.at.localeCompare(b.at),
    );
  }

  /**
   * Stores an update that waits for human review (one per user; replaces any older one).
   * @param pending - the update; it must name the sessions it learns from
   * @example
   * await memory.savePendingReview({ sessionIds: ["t1#1"], changes });
   */
  async savePendingReview(pending: { sessionIds: string[] } & Record<string, unknown>): Promise<void> {
    await this.raw.put(reviewNamespace(this.userId), PENDING_REVIEW_KEY, { ...pending, savedAt: now() });
  }

  /**
   * The update waiting for human review, if any (its row must at least name its sessions).
   * @returns the stored update, or undefined when none waits
   * @example
   * const pending = await memory.pendingReview<{ sessionIds: string[] }>();
   */
  async pendingReview<T extends { sessionIds: string[] }>(): Promise<T | undefined> {
    const namespace = reviewNamespace(this.userId);
    const row = this.parseRow(PendingReviewSchema, await this.getRow(namespace, PENDING_REVIEW_KEY), namespace, PENDING_REVIEW_KEY);
    return row.value as unknown as T | undefined;
  }

  /**
   * Deletes the update waiting for human review (after it was approved or rejected).
   * @example
   * await memory.clearPendingReview();
   */
  async clearPendingReview(): Promise<void> {
    await this.raw.delete(reviewNamespace(this.userId), PENDING_REVIEW_KEY);
  }

  // ---- versions ------------------------------------------------------------------------------

  /** The highest version number in the history (used when the current row is unusable). */
  private async highestStoredVersion(): Promise<number> {
    const keys = (await this.searchAll(historyNamespace(this.userId))).map((item) => Number(item.key)).filter(Number.isInteger);
    return keys.length ? Math.max(...keys) : 0;
  }

  /**
   * Writes a new persona version with compare-and-swap on the document's rev.
   * The document, its history entry and the claimed sessions are written in one
   * atomic commit; on conflict the draft is rebuilt from the newer document.
   * A document row that does not fit its record is moved to quarantine, never
   * copied forward; fields that do not fit the schema are dropped.
   * Throws PersonaWriteConflictError after 25 lost races.
   * @param input - the source, the sessions to claim and the draft builder
   * @returns the new version (undefined when nothing changed), the document and the sessions claimed
   * @example
   * const { version } = await memory.commitVersion({
   *   source: "manual",
   *   build: (current) => ({ persona: { ...current.persona, Name: "Alice" }, changes: [], rejected: [] }),
   * });
   */
  async commitVersion(input: CommitVersionInput): Promise<CommitVersionResult> {
    const wanted = input.sessionIds ?? [];
    const personaNs = personaNamespace(this.userId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // A commit that claims no session (manual, rollback) needs only the document.
      const [documentItem, ledgerItem] =
        wanted.length > 0
          ? ((await this.raw.batch([
              { namespace: personaNs, key: CURRENT_KEY },
              { namespace: personaNs, key: LEDGER_KEY },
            ])) as Array<Item | null>)
          : [await this.raw.get(personaNs, CURRENT_KEY), null];
      const current = this.readDocument(documentItem);
      const ledger = this.readLedger(ledgerItem);
      const sessions = ledger.ledger.sessions.map((session) => ({ ...session }));
      const claimed: SessionRecord[] = [];
      const alreadyLearned: string[] = [];
      for (const sessionId of wanted) {
        const session = sessions.find((candidate) => candidate.sessionId === sessionId);
        if (session && isPending(session)) claimed.push(session);
        else alreadyLearned.push(sessionId);
      }
      if (wanted.length > 0 && claimed.length === 0) {
        return { document: current.document, claimedSessionIds: [], claimedThreadIds: [], alreadyLearned };
      }
      const document = current.document;
      const draft = input.build(document);
      const changed = draft.changes.length > 0;
      // Without a usable current row, number on from the history so no version key is reused.
      const base = current.problem || current.rev === null ? await this.highestStoredVersion() : document.version;
      const nextVersion = changed ? base + 1 : document.version;
      const at = now();
      const writes: AtomicWrite[] = [];
      let version: PersonaVersion | undefined;
      let nextDocument = document;
      if (changed) {
        nextDocument = { userId: this.userId, version: nextVersion, persona: draft.persona, updatedAt: at };
        version = {
          version: nextVersion,
          parentVersion: base,
          createdAt: at,
          source: input.source,
          changes: draft.changes,
          rejected: draft.rejected,
          sessionIds: claimed.map((session) => session.sessionId),
          persona: draft.persona,
          ...(input.note ? { note: input.note } : {}),
        };
        writes.push(
          { namespace: personaNs, key: CURRENT_KEY, value: { ...nextDocument, rev: (current.rev ?? 0) + 1 }, expectRev: current.rev },
          { namespace: historyNamespace(this.userId), key: versionKey(nextVersion), value: { ...version }, expectRev: null },
        );
        if (current.problem) writes.push(this.quarantineWrite(current.problem, current.raw));
      }
      if (claimed.length > 0) {
        for (const session of claimed) {
          const read = Math.min(input.turnsRead?.[session.sessionId] ?? session.turns, session.turns);
          if (read >= session.turns) {
            sessions.splice(sessions.indexOf(session), 1);
            const learned: SessionRecord = {
              ...session,
              status: "learned",
              learnedTurns: session.turns,
              learnedAt: at,
              learnedInVersion: nextVersion,
            };
            writes.push({ namespace: sessionsNamespace(this.userId), key: session.sessionId, value: { ...learned } });
          } else {
            // Turns recorded after the learner read the session stay pending.
            session.learnedTurns = Math.max(session.learnedTurns, read);
          }
        }
        writes.push(...this.ledgerWrites({ ...ledger.ledger, sessions }, ledger));
      }
      if (writes.length === 0 || (await commitAtomically(this.raw, writes))) {
        return {
          version,
          document: nextDocument,
          claimedSessionIds: claimed.map((session) => session.sessionId),
          claimedThreadIds: [...new Set(claimed.map((session) => session.threadId))],
          alreadyLearned,
        };
      }
      await backoff(attempt);
    }
    throw new PersonaWriteConflictError(this.userId, MAX_ATTEMPTS);
  }

  // ---- erasure and repair --------------------------------------------------------------------

  /**
   * Deletes every item of this user: all of the user's namespaces, every
   * session transcript, and the ownership rows of the threads the user opened.
   * The current persona goes last, so a half-done erasure still shows the user
   * exists and can be repeated.
   * @returns how many items were deleted
   * @example
   * const deleted = await memory.deleteAll();
   */
  async deleteAll(): Promise<number> {
    const owned: Array<Pick<Item, "namespace" | "key">> = [];
    for (const item of await this.searchAll(userThreadsNamespace(this.userId))) {
      const owner = await this.getRow(threadOwnersNamespace(), item.key);
      if ((owner?.value as { userId?: unknown } | undefined)?.userId === this.userId) {
        owned.push({ namespace: threadOwnersNamespace(), key: item.key });
      }
    }
    let count = await this.deleteRows(owned);
    count += await this.deleteRows(await this.searchPrefix(transcriptsPrefix(this.userId)));
    for (const namespace of [...userExactNamespaces(this.userId)].reverse()) {
      count += await this.deleteRows(await this.searchAll(namespace));
    }
    return count;
  }

  private async deleteRows(items: Array<Pick<Item, "namespace" | "key">>): Promise<number> {
    if (items.length === 0) return 0;
    await this.raw.batch(items.map((item) => ({ namespace: item.namespace, key: item.key, value: null })));
    return items.length;
  }

  /**
   * Prunes this user's memory by a retention policy (see src/memory/retention.ts).
   * `threadIds` are threads whose sessions were just learned: their superseded
   * checkpoints are pruned once none of their sessions is open or unlearned.
   * Every scan is bounded by a cap of the policy, so pruning stays flat.
   * @param policy - the resolved retention policy
   * @param options - `threadIds` just learned, the `runningThreadId` to leave alone, and the `checkpoints` cleaner (default: none)
   * @returns what was pruned and deleted
   * @example
   * const report = await memory.prune(policy, { threadIds: ["t1"] });
   */
  async prune(
    policy: ResolvedRetention,
    options: { threadIds?: string[]; runningThreadId?: string; checkpoints?: ThreadCheckpointCleaner } = {},
  ): Promise<PruneReport> {
    const report: PruneReport = {
      prunedThreads: [],
      deletedThreads: [],
      deletedTranscripts: 0,
      deletedSessions: 0,
      deletedVersions: 0,
      deletedLearningRecords: 0,
    };
    const { ledger } = await this.ledgerNow();
    const busy = new Set(ledger.sessions.map((session) => session.threadId));
    const { checkpoints } = options;
    if (policy.pruneCheckpoints && checkpoints) {
      // The running thread saves its checkpoint when this run exits: prune it at the next learning run.
      const later = options.runningThreadId && options.threadIds?.includes(options.runningThreadId) ? [options.runningThreadId] : [];
      for (const threadId of new Set([...(ledger.pruneLater ?? []), ...(options.threadIds ?? [])])) {
        if (busy.has(threadId) || later.includes(threadId)) continue;
        await checkpoints.pruneThread(threadId);
        report.prunedThreads.push(threadId);
      }
      if (later.length || ledger.pruneLater?.length) {
        await this.updateLedger((_sessions, _at, next) => {
          next.pruneLater = later;
          return { result: true };
        });
      }
    }
    const finite = Number.isFinite;
    if (finite(policy.keepTranscripts) || finite(policy.keepSessions)) {
      const when = (session: SessionRecord) => session.learnedAt ?? session.discardedAt ?? session.startedAt;
      const archived = this.parseAll(SessionRecordSchema, await this.searchAll(sessionsNamespace(this.userId))).sort(
        (a, b) => when(b).localeCompare(when(a)),
      );
      for (const [index, session] of archived.entries()) {
        const dropRecord = index >= policy.keepSessions;
        if (!dropRecord && (index < policy.keepTranscripts || session.transcriptPruned)) continue;
        if (!session.transcriptPruned) {
          const deleted = await this.deleteRows(await this.searchAll(transcriptNamespace(this.userId, session.sessionId)));
          if (deleted > 0) report.deletedTranscripts++;
        }
        if (dropRecord) {
          report.deletedSessions += await this.deleteRows([{ namespace: sessionsNamespace(this.userId), key: session.sessionId }]);
        } else {
          await this.raw.put(sessionsNamespace(this.userId), session.sessionId, { ...session, transcriptPruned: true });
        }
      }
    }
    if (finite(policy.keepVersions)) {
      const keys = (await this.searchAll(historyNamespace(this.userId))).map((item) => item.key).sort();
      const old = keys.slice(0, Math.max(0, keys.length - policy.keepVersions));
      report.deletedVersions = await this.deleteRows(old.map((key) => ({ namespace: historyNamespace(this.userId), key })));
    }
    if (finite(policy.keepLearningRecords)) {
      const keys = (await this.searchAll(learningNamespace(this.userId))).map((item) => item.key).sort();
      const old = keys.slice(0, Math.max(0, keys.length - policy.keepLearningRecords));
      report.deletedLearningRecords = await this.deleteRows(old.map((key) => ({ namespace: learningNamespace(this.userId), key })));
    }
    if (policy.keepThreads !== undefined && checkpoints) {
      const finished = (await this.threads()).filter((thread) => !busy.has(thread.threadId)).reverse();
      for (const thread of finished.slice(policy.keepThreads)) {
        await checkpoints.deleteThread(thread.threadId);
        const owner = await this.getRow(threadOwnersNamespace(), thread.threadId);
        const rows = [{ namespace: userThreadsNamespace(this.userId), key: thread.threadId }];
        if ((owner?.value as { userId?: unknown } | undefined)?.userId === this.userId) {
          rows.push({ namespace: threadOwnersNamespace(), key: thread.threadId });
        }
        await this.deleteRows(rows);
        report.deletedThreads.push(thread.threadId);
      }
    }
    return report;
  }

  /**
   * Moves one row aside into the user's quarantine (kept, never used) and deletes it from its place.
   * @param problem - the row (namespace and key) and why it does not fit its schema
   * @example
   * for (const problem of await memory.inspect()) await memory.quarantineRow(problem);
   */
  async quarantineRow(problem: RecordProblem): Promise<void> {
    const item = await this.getRow(problem.namespace, problem.key);
    await commitAtomically(this.raw, [
      this.quarantineWrite(problem, item?.value),
      { namespace: problem.namespace, key: problem.key, value: null },
    ]);
  }

  /**
   * Rebuilds an unusable session ledger from the transcripts: every session
   * with recorded turns and no archived record is put back as ended and
   * waiting to be learned. The old row goes to quarantine.
   * @returns the sessions put back
   * @example
   * const restored = await memory.rebuildLedger();
   */
  async rebuildLedger(): Promise<SessionRecord[]> {
    const current = await this.ledgerNow();
    const archived = new Set(
      this.parseAll(SessionRecordSchema, await this.searchAll(sessionsNamespace(this.userId))).map((session) => session.sessionId),
    );
    const bySession = new Map<string, TurnRecord[]>();
    for (const item of await this.searchPrefix(transcriptsPrefix(this.userId))) {
      const row = this.parseRow(TurnRecordSchema, item, item.namespace, item.key);
      if (!row.value) continue;
      const sessionId = decodeLabel(item.namespace.at(-1)!);
      bySession.set(sessionId, [...(bySession.get(sessionId) ?? []), row.value]);
    }
    const at = now();
    const sessions: SessionRecord[] = [...bySession.entries()]
      .filter(([sessionId]) => !archived.has(sessionId))
      .map(([sessionId, turns]) => {
        const first = turns.reduce((a, b) => (a.at < b.at ? a : b));
        return {
          sessionId,
          threadId: sessionId.replace(/#\d+$/, ""),
          status: "ended" as const,
          startedAt: first.at,
          endedAt: at,
          turns: Math.max(...turns.map((turn) => turn.index)) + 1,
          learnedTurns: 0,
        };
      })
      .sort(bySessionStart);
    const written = await commitAtomically(this.raw, this.ledgerWrites({ sessions }, current));
    if (!written) throw new PersonaWriteConflictError(this.userId, 1);
    return sessions;
  }

  /**
   * Rows moved to quarantine.
   * @returns the store items, oldest first
   * @example
   * const kept = await memory.quarantined();
   */
  async quarantined(): Promise<Item[]> {
    return (await this.searchAll(quarantineNamespace(this.userId))).sort((a, b) => a.key.localeCompare(b.key));
  }

  /**
   * Reads every row of this user and returns the ones that do not fit their
   * schema (also in `problems`). Used by `persona doctor`.
   * @returns the unusable rows
   * @example
   * const problems = await memory.inspect();
   */
  async inspect(): Promise<RecordProblem[]> {
    const before = this.problems.length;
    const personaNs = personaNamespace(this.userId);
    this.readDocument(await this.getRow(personaNs, CURRENT_KEY));
    this.readLedger(await this.getRow(personaNs, LEDGER_KEY));
    await this.history();
    await this.learningLog();
    this.parseAll(SessionRecordSchema, await this.searchAll(sessionsNamespace(this.userId)));
    this.parseAll(TurnRecordSchema, await this.searchPrefix(transcriptsPrefix(this.userId)));
    for (const thread of await this.threads()) await this.threadOwner(thread.threadId).catch(() => undefined);
    await this.pendingReview();
    return this.problems.slice(before);
  }
}

/** The session id of a thread's n-th session: the thread id first, then "thread#2", "thread#3", ... */
export function sessionIdFor(threadId: string, count: number): string {
  return count <= 1 ? threadId : `${threadId}#${count}`;
}
