import { z } from "zod";
import { GUARD_LAYERS, SemanticGuardRunSchema, SemanticVerdictSchema } from "../guard/verdict.js";

/**
 * Every record persona memory keeps in a store, defined once. Types are
 * inferred from these schemas, and every read parses the stored value with
 * its schema: a row that does not fit is reported, never used as if it did.
 * Records are `loose`: fields added by a later version of the package are kept.
 */

/** The declared fields of a loose record type (without its index signature). */
export type KnownFields<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

const time = z.string().min(1);
const count = z.number().int().min(0);

/** Persona values: a nested plain object; only known fields are present. */
export const PersonaValuesSchema = z.record(z.string(), z.unknown());

/** The current persona of one user (`["persona", user]`, key `current`). Version 0: nothing learned yet. */
export const PersonaDocumentSchema = z
  .object({
    userId: z.string(),
    version: count,
    persona: PersonaValuesSchema,
    updatedAt: time,
  })
  .loose();
/**
 * The current persona of one user: user id, version (0: nothing learned yet), persona values and update time.
 * @example
 * const { version, persona }: PersonaDocument = await memory.load();
 */
export type PersonaDocument = z.infer<typeof PersonaDocumentSchema>;

/** One field-level change, as applied. `evidence` holds the user's own words. */
export const AppliedChangeSchema = z
  .object({
    op: z.enum(["set", "clear"]),
    field: z.string(),
    value: z.unknown().optional(),
    previous: z.unknown().optional(),
    evidence: z.string(),
    /** The semantic guard's verdict, when it ran. */
    verdict: SemanticVerdictSchema.optional(),
  })
  .loose();
/**
 * One field-level change as applied: `set` or `clear`, the field path, the new and previous
 * value, the user's words as evidence, and the semantic guard's verdict when it ran.
 * @example
 * const change: AppliedChange = { op: "set", field: "Demographics.Age", value: 34, evidence: "I'm 34" };
 */
export type AppliedChange = z.infer<typeof AppliedChangeSchema>;

/** A proposed change that was not applied, with the reason. */
export const RejectedChangeSchema = z
  .object({
    change: z.unknown(),
    reason: z.string(),
    /** Which check rejected it (see GuardLayer). */
    layer: z.enum([...GUARD_LAYERS, "review"]).optional(),
    /** The semantic guard's verdict, when it ran on this change. */
    verdict: SemanticVerdictSchema.optional(),
  })
  .loose();
/**
 * A proposed change that was not applied: the change as proposed, the reason, and the guard layer that refused it.
 * @example
 * const rejected: RejectedChange = { change: { field: "Name" }, reason: "no evidence quote", layer: "evidence" };
 */
export type RejectedChange = z.infer<typeof RejectedChangeSchema>;

export const VersionSourceSchema = z.enum(["learning", "rollback", "manual", "review"]);
/**
 * Where a persona version came from: `learning`, `rollback`, `manual` or `review`.
 * @example
 * const source: VersionSource = "manual";
 */
export type VersionSource = z.infer<typeof VersionSourceSchema>;

/** One entry of a user's persona history (`["persona", user, "history"]`, key = padded version). */
export const PersonaVersionSchema = z
  .object({
    version: z.number().int().min(1),
    parentVersion: count,
    createdAt: time,
    source: VersionSourceSchema,
    changes: z.array(AppliedChangeSchema),
    rejected: z.array(RejectedChangeSchema),
    sessionIds: z.array(z.string()),
    /** The whole persona after this version, so diff and rollback need no replay. */
    persona: PersonaValuesSchema,
    note: z.string().optional(),
  })
  .loose();
/**
 * One entry of a user's persona history: version, parent, source, the changes applied and
 * rejected, the sessions learned from, and the whole persona after the version.
 * @example
 * const latest: PersonaVersion | undefined = (await memory.history()).at(-1);
 */
export type PersonaVersion = z.infer<typeof PersonaVersionSchema>;

export const SessionStatusSchema = z.enum(["open", "ended", "learned", "discarded"]);
/**
 * Status of a session: `open`, `ended` (waiting to be learned), `learned` or `discarded`.
 * @example
 * const ended = await memory.sessions("ended" satisfies SessionStatus);
 */
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

/**
 * One session. Open and ended sessions live in the user's session ledger;
 * learned and discarded ones are archived under `["persona", user, "sessions"]`.
 * A session exists from its first recorded turn. `turns` counts the turns
 * whose transcript is saved; `learnedTurns` how many of them learning has
 * read. An ended session with `turns > learnedTurns` is waiting to be learned.
 */
export const SessionRecordSchema = z
  .object({
    sessionId: z.string().min(1),
    threadId: z.string().min(1),
    status: SessionStatusSchema,
    startedAt: time,
    endedAt: time.optional(),
    endReason: z.enum(["explicit", "new_thread"]).optional(),
    turns: count,
    learnedTurns: count,
    lastTurnAt: time.optional(),
    learnedAt: time.optional(),
    /** The persona version that includes what was learned from this session. */
    learnedInVersion: count.optional(),
    discardedAt: time.optional(),
    discardReason: z.string().optional(),
    /** Set when retention deleted the transcript of this (learned) session. */
    transcriptPruned: z.boolean().optional(),
  })
  .loose();
/**
 * One session: its thread, status, start and end, how many turns are recorded and how many
 * learning has read. An ended session with `turns > learnedTurns` is waiting to be learned.
 * @example
 * const waiting: SessionRecord[] = await memory.pendingSessions();
 */
export type SessionRecord = z.infer<typeof SessionRecordSchema>;

/** The user's open and not yet learned sessions, oldest first (`["persona", user]`, key `ledger`). */
export const SessionLedgerSchema = z
  .object({
    sessions: z.array(SessionRecordSchema),
    /** Learned threads whose checkpoints are pruned at the next learning run (their last run was still saving). */
    pruneLater: z.array(z.string()).optional(),
  })
  .loose();
export type SessionLedger = z.infer<typeof SessionLedgerSchema>;

/** One line of a transcript: what the user said, or the reply they were shown. */
export const TranscriptTurnSchema = z.object({ role: z.enum(["user", "assistant"]), text: z.string() }).loose();
/**
 * One line of a transcript: what the user said (`user`), or the reply they were shown (`assistant`).
 * @example
 * const turn: TranscriptTurn = { role: "user", text: "I prefer short answers" };
 */
export type TranscriptTurn = z.infer<typeof TranscriptTurnSchema>;

/**
 * One recorded turn of a session (`["persona", user, "transcripts", session]`,
 * key = padded turn index): the user's messages and the reply shown to them.
 * `partial` marks a reply cut short (the user cancelled it), kept as shown.
 */
export const TurnRecordSchema = z
  .object({
    index: count,
    messages: z.array(TranscriptTurnSchema),
    at: time,
    partial: z.boolean().optional(),
  })
  .loose();
export type TurnRecord = z.infer<typeof TurnRecordSchema>;

/** A session's transcript as read back: its recorded turns flattened, oldest first. */
export interface TranscriptRecord {
  sessionId: string;
  turns: TranscriptTurn[];
}

export const LearningOutcomeSchema = z.enum([
  "applied",
  "no_changes",
  "all_rejected",
  "malformed",
  "error",
  "already_learned",
  "review_rejected",
]);
/**
 * What a learning run ended with: `applied`, `no_changes`, `all_rejected`, `malformed`,
 * `error`, `already_learned` or `review_rejected`.
 * @example
 * const failed = (await memory.learningLog()).filter((r) => r.outcome === ("error" satisfies LearningOutcome));
 */
export type LearningOutcome = z.infer<typeof LearningOutcomeSchema>;

/** What one learning run did, kept whether or not the persona changed (`["persona", user, "learning"]`). */
export const LearningRecordSchema = z
  .object({
    id: z.string().min(1),
    at: time,
    sessionIds: z.array(z.string()),
    outcome: LearningOutcomeSchema,
    version: count.optional(),
    appliedCount: count,
    rejected: z.array(RejectedChangeSchema),
    error: z.string().optional(),
    /** What the semantic guard did in this run (cost, verdict counts), when it ran. */
    semanticGuard: SemanticGuardRunSchema.optional(),
  })
  .loose();
/**
 * What one learning run did, kept whether or not the persona changed: sessions, outcome,
 * the version written, how many changes were applied, the rejected ones and the semantic guard's figures.
 * @example
 * const last: LearningRecord | undefined = (await memory.learningLog()).at(-1);
 */
export type LearningRecord = z.infer<typeof LearningRecordSchema>;

/** Who owns a thread (`["persona_threads"]`, key = thread id): the user who opened it. */
export const ThreadOwnerSchema = z.object({ threadId: z.string().min(1), userId: z.string().min(1), createdAt: time }).loose();
export type ThreadOwner = z.infer<typeof ThreadOwnerSchema>;

/** A persona update waiting for human review (`["persona", user, "review"]`, key `pending`). */
export const PendingReviewSchema = z.object({ sessionIds: z.array(z.string()), savedAt: time }).loose();
export type PendingReview = z.infer<typeof PendingReviewSchema>;

/** A stored row that did not fit its schema, moved aside by `persona doctor` or by the next write. */
export const QuarantinedRowSchema = z
  .object({ namespace: z.array(z.string()), key: z.string(), reason: z.string(), value: z.unknown(), at: time })
  .loose();
export type QuarantinedRow = z.infer<typeof QuarantinedRowSchema>;
