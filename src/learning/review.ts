import type { PersonaValues } from "../schema/fields.js";
import { diffPersonas, type FieldDifference } from "../memory/diff.js";
import type { RejectedChange } from "../memory/records.js";
import type { PersonaProposal } from "./learnPersona.js";
import { applyChanges, type ValidChange } from "./validateChanges.js";
import type { PersonaField } from "../schema/fields.js";

/**
 * What the graph shows a reviewer when it pauses a persona update (the interrupt value).
 * @example
 * const state = await graph.getState(config);
 * const request = state.tasks[0]?.interrupts[0]?.value as PersonaReviewRequest;
 * console.log(request.diff);
 */
export interface PersonaReviewRequest {
  type: "persona_review";
  userId: string;
  sessionIds: string[];
  /** The persona version the diff is computed against. */
  baseVersion: number;
  /** The proposed changes, each with the user's words as evidence. */
  changes: ValidChange[];
  /** Field-level result of applying them to the current persona. */
  diff: FieldDifference[];
  /** Proposals already rejected by validation, with reasons. */
  rejected: RejectedChange[];
  /** How to answer. */
  resume: string;
}

/**
 * A reviewer's answer: pass it as `new Command({ resume: decision })`.
 * @example
 * await graph.invoke(new Command({ resume: "approve" satisfies PersonaReviewDecision }), config);
 */
export type PersonaReviewDecision =
  | "approve"
  | "reject"
  | { action: "approve" }
  | { action: "reject"; reason?: string }
  /** Replace the proposal with these changes ({ op, field, value?, evidence? }); they are validated again. */
  | { action: "edit"; changes: unknown[] };

export const REVIEW_RESUME_HELP =
  'resume with new Command({ resume: "approve" | "reject" | { action: "edit", changes: [{ op: "set", field, value }] } })';

export function buildReviewRequest(
  userId: string,
  proposal: PersonaProposal,
  current: PersonaValues,
  fields: PersonaField[],
): PersonaReviewRequest {
  const { persona } = applyChanges(current, proposal.valid, fields);
  return {
    type: "persona_review",
    userId,
    sessionIds: proposal.sessionIds,
    baseVersion: proposal.baseVersion,
    changes: proposal.valid,
    diff: diffPersonas(current, persona),
    rejected: proposal.rejected,
    resume: REVIEW_RESUME_HELP,
  };
}

/** Normalizes a resume value; throws with the accepted shapes when it is none of them. */
export function parseReviewDecision(
  value: unknown,
): { action: "approve" } | { action: "reject"; reason?: string } | { action: "edit"; changes: unknown[] } {
  if (value === "approve" || value === "reject") return { action: value };
  const decision = value as { action?: unknown; changes?: unknown; reason?: unknown } | null;
  if (decision && typeof decision === "object") {
    if (decision.action === "approve") return { action: "approve" };
    if (decision.action === "reject") {
      return { action: "reject", ...(typeof decision.reason === "string" ? { reason: decision.reason } : {}) };
    }
    if (decision.action === "edit" && Array.isArray(decision.changes)) return { action: "edit", changes: decision.changes };
  }
  throw new Error(`persona review: unrecognized decision ${JSON.stringify(value)}; ${REVIEW_RESUME_HELP}`);
}
