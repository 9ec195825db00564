import type { PersonaValues } from "../schema/fields.js";
import type { GuardLayer, SemanticGuardRun, SemanticVerdict } from "../guard/verdict.js";

/** The current persona of one user. `version` is 0 before anything was learned. */
export interface PersonaDocument {
  userId: string;
  version: number;
  persona: PersonaValues;
  updatedAt: string;
}

/** One field-level change, as applied. */
export interface AppliedChange {
  op: "set" | "clear";
  field: string;
  value?: unknown;
  previous?: unknown;
  /** The user's own words that justify the change. */
  evidence: string;
  /** The semantic guard's verdict, when it ran. */
  verdict?: SemanticVerdict;
}

/** A proposed change that was not applied, with the reason. */
export interface RejectedChange {
  change: unknown;
  reason: string;
  /** Which check rejected it (see GuardLayer). */
  layer?: GuardLayer;
  /** The semantic guard's verdict, when it ran on this change. */
  verdict?: SemanticVerdict;
}

export type VersionSource = "learning" | "rollback" | "manual" | "review";

/** One entry of a user's persona history: what changed, why, and the result. */
export interface PersonaVersion {
  version: number;
  parentVersion: number;
  createdAt: string;
  source: VersionSource;
  changes: AppliedChange[];
  rejected: RejectedChange[];
  sessionIds: string[];
  /** The whole persona after this version, so diff and rollback need no replay. */
  persona: PersonaValues;
  note?: string;
}

export type SessionStatus = "open" | "ended" | "learned";

export interface SessionRecord {
  sessionId: string;
  threadId: string;
  status: SessionStatus;
  startedAt: string;
  endedAt?: string;
  endReason?: "explicit" | "new_thread";
  learnedAt?: string;
  /** The persona version that includes what was learned from this session. */
  learnedInVersion?: number;
}

export interface TranscriptTurn {
  role: "user" | "assistant";
  text: string;
}

export interface TranscriptRecord {
  sessionId: string;
  turns: TranscriptTurn[];
  updatedAt: string;
}

export type LearningOutcome =
  | "applied"
  | "no_changes"
  | "all_rejected"
  | "malformed"
  | "error"
  | "already_learned"
  | "review_rejected";

/** What one learning run did, kept whether or not the persona changed. */
export interface LearningRecord {
  id: string;
  at: string;
  sessionIds: string[];
  outcome: LearningOutcome;
  version?: number;
  appliedCount: number;
  rejected: RejectedChange[];
  error?: string;
  /** What the semantic guard did in this run (cost, verdict counts), when it ran. */
  semanticGuard?: SemanticGuardRun;
}
