import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { RunnableConfig } from "@langchain/core/runnables";
import { classifyPersonaValues } from "../guard/semantic.js";
import type { SemanticGuardRun } from "../guard/verdict.js";
import type { RejectedChange } from "../memory/records.js";
import type { ValidChange } from "./validateChanges.js";

/**
 * The semantic guard as the learner runs it.
 * @example
 * const guard: SemanticGuardSettings = { model: learnerModel };
 */
export interface SemanticGuardSettings {
  /** The model that classifies proposed values (default: the learner model). */
  model: BaseChatModel;
}

/**
 * The changes after the semantic guard, and what it did.
 * @example
 * const { valid, rejected, run } = await gateChanges(changes, { model });
 * console.log(run.calls, "guard call(s)");
 */
export interface SemanticGateResult {
  /** Accepted changes, and (with review) flagged ones marked `verdict.review`. */
  valid: ValidChange[];
  /** Changes the guard rejected, each with its verdict. */
  rejected: RejectedChange[];
  run: SemanticGuardRun;
  /** Set when the model call failed: nothing should be committed from this run. */
  error?: string;
}

/**
 * Runs the semantic guard (layer 3) on changes that passed validation, in one
 * model call (plus one retry for unreadable verdicts). "set" changes are
 * classified; "clear" changes store nothing and pass. A value the model says
 * describes the user is accepted; a flagged, uncertain or unreadable one is
 * rejected, or with `review` kept and marked for the reviewer
 * (`verdict.review: true`), who sees the verdict in the review request. Every
 * change keeps its verdict, accepted or rejected.
 *
 * @param changes Changes that passed validation.
 * @param guard The guard's model.
 * @param options `review`: send flagged changes to review instead of rejecting them; `config` for the model call.
 * @returns The gated changes and the run's cost and counts.
 * @example
 * const gated = await gateChanges(valid, { model: learnerModel }, { review: false });
 */
export async function gateChanges(
  changes: ValidChange[],
  guard: SemanticGuardSettings,
  options: { review?: boolean; config?: RunnableConfig } = {},
): Promise<SemanticGateResult> {
  const toClassify = changes.filter((change) => change.op === "set");
  const classification = await classifyPersonaValues(
    guard.model,
    toClassify.map((change) => ({ field: change.field, value: change.value, evidence: change.evidence })),
    { config: options.config },
  );
  const run: SemanticGuardRun = { ...classification.cost, accepted: 0, rejected: 0, toReview: 0 };
  if (classification.error !== undefined) {
    return { valid: [], rejected: [], run: { ...run, error: classification.error }, error: classification.error };
  }
  const verdictOf = new Map(toClassify.map((change, index) => [change, classification.verdicts[index]]));
  const valid: ValidChange[] = [];
  const rejected: RejectedChange[] = [];
  for (const change of changes) {
    const verdict = verdictOf.get(change);
    if (!verdict || !verdict.flagged) {
      valid.push(verdict ? { ...change, verdict } : change);
      if (verdict) run.accepted++;
    } else if (options.review) {
      valid.push({ ...change, verdict: { ...verdict, review: true } });
      run.toReview++;
    } else {
      const why = verdict.label === "unreadable" ? verdict.reason : `semantic guard: ${verdict.label}${verdict.reason ? `: ${verdict.reason}` : ""}`;
      rejected.push({ change, reason: why, layer: "semantic", verdict });
      run.rejected++;
    }
  }
  return { valid, rejected, run };
}
