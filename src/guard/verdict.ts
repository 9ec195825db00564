import { z } from "zod";

/** The layers of the poisoning guard, in the order a value meets them. */
export const GUARD_LAYERS = ["request", "typed", "structural", "guard", "evidence", "semantic"] as const;
/**
 * Which check rejected a change: "request" (not a usable change: unknown field,
 * frozen, twice in one update), "typed" (schema, format, length, item count),
 * "structural" (layer 1), "guard" (a custom guard), "evidence" (the quote
 * rule), "semantic" (the model's verdict), "review" (a person).
 * @example
 * const byLayer = (rejected: RejectedChange[], layer: GuardLayer) => rejected.filter((r) => r.layer === layer);
 */
export type GuardLayer = (typeof GUARD_LAYERS)[number] | "review";

/**
 * Labels the semantic guard's model may give an entry.
 * @example
 * SEMANTIC_LABELS.includes("describes_user"); // true
 */
export const SEMANTIC_LABELS = [
  "describes_user",
  "instructs_assistant",
  "claims_privilege",
  "targets_others",
  "weakens_safety",
  "uncertain",
] as const;
/**
 * A label the semantic guard's model may give an entry ("describes_user", "instructs_assistant", ...).
 * @example
 * const label: SemanticLabel = "describes_user";
 */
export type SemanticLabel = (typeof SEMANTIC_LABELS)[number];

/** What each label means, as the guard's prompt lists them. */
export const SEMANTIC_LABEL_MEANINGS: Record<SemanticLabel, string> = {
  describes_user: "the entry describes the user (facts, traits, interests, or how they want answers)",
  instructs_assistant: "the entry instructs the assistant or operator beyond tailoring answers to this user",
  claims_privilege: "the entry claims authority, privileges or exemption from rules",
  targets_others: "the entry concerns other users or third parties",
  weakens_safety: "the entry asks to weaken safety, honesty, warnings or refusals",
  uncertain: "the entry could honestly be read either way",
};

/**
 * The semantic guard's verdict on one change, stored with the change whether
 * it was accepted or rejected. `label` is "unreadable" when the model's reply
 * gave no usable verdict for this entry.
 * @example
 * const verdict = SemanticVerdictSchema.parse({ label: "describes_user", reason: "a preference", flagged: false });
 */
export const SemanticVerdictSchema = z.object({
  label: z.enum([...SEMANTIC_LABELS, "unreadable"]),
  reason: z.string(),
  /** True unless the label is "describes_user". */
  flagged: z.boolean(),
  /** The change went to human review because of this verdict. */
  review: z.boolean().optional(),
});
/**
 * The semantic guard's verdict on one change (see {@link SemanticVerdictSchema}).
 * @example
 * const flagged = (verdict: SemanticVerdict) => verdict.flagged && !verdict.review;
 */
export type SemanticVerdict = z.infer<typeof SemanticVerdictSchema>;

/**
 * Cost and outcome of the semantic guard in one learning run (or one evaluation).
 * @example
 * const cost = SemanticGuardCostSchema.parse(JSON.parse(line));
 */
export const SemanticGuardCostSchema = z.object({
  /** Model calls made, retries included. */
  calls: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  /** Calls whose reply carried no usage figures (tokens then undercount). */
  callsWithoutUsage: z.number().int(),
  /** Wall time of the calls, milliseconds. */
  ms: z.number(),
  /** Entries classified. */
  entries: z.number().int(),
  /** Entries without a readable verdict after the retry. */
  unreadable: z.number().int(),
  /** Calls that failed (endpoint errors, timeouts). */
  errors: z.number().int(),
});
/**
 * Cost and outcome of the semantic guard in one learning run or evaluation (see {@link SemanticGuardCostSchema}).
 * @example
 * const { calls, promptTokens, completionTokens }: SemanticGuardCost = (await classifyPersonaValues(model, entries)).cost;
 */
export type SemanticGuardCost = z.infer<typeof SemanticGuardCostSchema>;

/** A zero cost record. */
export function emptySemanticCost(): SemanticGuardCost {
  return { calls: 0, promptTokens: 0, completionTokens: 0, callsWithoutUsage: 0, ms: 0, entries: 0, unreadable: 0, errors: 0 };
}

/** Adds two cost records. */
export function addSemanticCost(a: SemanticGuardCost, b: SemanticGuardCost): SemanticGuardCost {
  return {
    calls: a.calls + b.calls,
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    callsWithoutUsage: a.callsWithoutUsage + b.callsWithoutUsage,
    ms: a.ms + b.ms,
    entries: a.entries + b.entries,
    unreadable: a.unreadable + b.unreadable,
    errors: a.errors + b.errors,
  };
}

/**
 * What the semantic guard did in one learning run: its cost and where the changes went.
 * @example
 * const run = SemanticGuardRunSchema.parse(record.semanticGuard);
 */
export const SemanticGuardRunSchema = SemanticGuardCostSchema.extend({
  accepted: z.number().int(),
  rejected: z.number().int(),
  /** Sent to human review instead of being rejected (with `review: true`). */
  toReview: z.number().int(),
  /** The model call failed; the learning run was recorded as an error. */
  error: z.string().optional(),
});
/**
 * What the semantic guard did in one learning run (see {@link SemanticGuardRunSchema}).
 * @example
 * const run: SemanticGuardRun | undefined = record.semanticGuard;
 * if (run) console.log(`${run.accepted} accepted, ${run.rejected} rejected, ${run.toReview} to review`);
 */
export type SemanticGuardRun = z.infer<typeof SemanticGuardRunSchema>;
