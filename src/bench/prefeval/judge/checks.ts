import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage } from "@langchain/core/messages";
import { z } from "zod";
import { formatPrompt } from "../../../render.js";
import { callForJson, judgeOrRecordFailure, type JudgeOutcome } from "../../judge/structuredCall.js";
import { JUDGE_ACKNOWLEDGMENT } from "../prompts/judgeAcknowledgment.js";
import { JUDGE_HALLUCINATION } from "../prompts/judgeHallucination.js";
import { JUDGE_HELPFULNESS } from "../prompts/judgeHelpfulness.js";
import { JUDGE_STORED_PREFERENCE } from "../prompts/judgeStoredPreference.js";
import { JUDGE_VIOLATION } from "../prompts/judgeViolation.js";

/** "yes"/"no", read leniently: any case, a trailing period, or a JSON boolean. */
const yesNo = z.preprocess((value) => {
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string") return value.trim().toLowerCase().replace(/[.!]+$/, "");
  return value;
}, z.enum(["yes", "no"]));

export const checkVerdictSchema = z.object({ answer: yesNo, reason: z.string().optional() });
/**
 * The judge's yes/no answer to one PrefEval check, with its reason.
 * @example
 * const verdict: CheckVerdict = { answer: "no", reason: "the reply respects the preference" };
 */
export type CheckVerdict = z.infer<typeof checkVerdictSchema>;

export const acknowledgmentVerdictSchema = z.object({
  answer: yesNo,
  restated: z.string().optional(),
  reason: z.string().optional(),
});
/**
 * The judge's answer to "does the reply acknowledge a preference", with the preference it restated.
 * @example
 * const verdict: AcknowledgmentVerdict = { answer: "yes", restated: "no seafood" };
 */
export type AcknowledgmentVerdict = z.infer<typeof acknowledgmentVerdictSchema>;

/**
 * The four PrefEval checks of one reply; a check whose call failed is "failed" and asked again by the next run.
 * @example
 * const judgment: PrefEvalJudgment = result.judgment;
 * const classification = classifyReply(judgment);
 */
export interface PrefEvalJudgment {
  violates: JudgeOutcome<CheckVerdict>;
  acknowledges: JudgeOutcome<AcknowledgmentVerdict>;
  /** Asked only when the reply acknowledges a preference. */
  hallucinates?: JudgeOutcome<CheckVerdict>;
  helpful: JudgeOutcome<CheckVerdict>;
}

export const CHECK_NAMES = ["violates", "acknowledges", "hallucinates", "helpful"] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** The item's texts a judgment needs. */
export interface ItemForJudge {
  preference: string;
  question: string;
}

const ask = <T>(model: BaseChatModel, prompt: string, schema: z.ZodType<T>) =>
  judgeOrRecordFailure(() => callForJson(model, [new HumanMessage(prompt)], schema));

const said = (outcome: JudgeOutcome<{ answer: "yes" | "no" }> | undefined): boolean | undefined =>
  outcome?.status === "ok" ? outcome.value.answer === "yes" : undefined;

/**
 * Runs PrefEval's four checks on a reply, one judge call each (one retry on
 * an unreadable reply): violation, acknowledgment (which also reads back the
 * preference the reply attributes to the user), hallucination (only when it
 * acknowledges one) and helpfulness. With `previous`, only the checks whose
 * call failed are asked again. Never throws for a failing call: the check is
 * recorded as failed.
 *
 * @param model - The judge model.
 * @param item - The preference and the question.
 * @param reply - The chatbot's reply to the question.
 * @param previous - An earlier judgment whose failed checks to redo.
 * @returns The checks.
 * @example
 * ```ts no-run
 * const judgment = await judgePrefEvalReply(judge, { preference, question }, reply);
 * ```
 */
export async function judgePrefEvalReply(
  model: BaseChatModel,
  item: ItemForJudge,
  reply: string,
  previous?: PrefEvalJudgment,
): Promise<PrefEvalJudgment> {
  const redo = (outcome: JudgeOutcome<unknown> | undefined) => !outcome || outcome.status === "failed";
  const violates = redo(previous?.violates)
    ? await ask(model, formatPrompt(JUDGE_VIOLATION, { preference: item.preference, question: item.question, reply }), checkVerdictSchema)
    : previous!.violates;
  const acknowledges = redo(previous?.acknowledges)
    ? await ask(model, formatPrompt(JUDGE_ACKNOWLEDGMENT, { question: item.question, reply }), acknowledgmentVerdictSchema)
    : previous!.acknowledges;
  let hallucinates = previous?.hallucinates;
  if (acknowledges.status === "ok" && acknowledges.value.answer === "yes" && redo(hallucinates)) {
    hallucinates = await ask(
      model,
      formatPrompt(JUDGE_HALLUCINATION, { preference: item.preference, restated: acknowledges.value.restated?.trim() ?? "" }),
      checkVerdictSchema,
    );
  }
  const helpful = redo(previous?.helpful)
    ? await ask(model, formatPrompt(JUDGE_HELPFULNESS, { question: item.question, reply }), checkVerdictSchema)
    : previous!.helpful;
  return { violates, acknowledges, ...(hallucinates ? { hallucinates } : {}), helpful };
}

/**
 * Asks the judge whether a stored persona records the preference. An empty
 * persona is answered without a call ("no", attempts 0): nothing was stored.
 *
 * @param model - The judge model.
 * @param preference - The item's preference.
 * @param persona - The stored persona values.
 * @returns The verdict.
 * @example
 * ```ts no-run
 * const stored = await judgeStoredPreference(judge, item.preference, document.persona);
 * ```
 */
export async function judgeStoredPreference(
  model: BaseChatModel,
  preference: string,
  persona: Record<string, unknown>,
): Promise<JudgeOutcome<CheckVerdict>> {
  const hasValues = Object.values(persona).some((group) => group && typeof group === "object" && Object.keys(group).length > 0);
  if (!hasValues) return { status: "ok", value: { answer: "no", reason: "nothing was stored" }, attempts: 0 };
  return ask(model, formatPrompt(JUDGE_STORED_PREFERENCE, { preference, persona: JSON.stringify(persona, null, 2) }), checkVerdictSchema);
}

/**
 * PrefEval's error types of a reply that does not follow the preference.
 * @example
 * PREFEVAL_ERROR_TYPES.includes("unhelpful"); // true
 */
export const PREFEVAL_ERROR_TYPES = ["unhelpful", "inconsistent", "hallucinated-violation", "unaware-violation"] as const;
/**
 * A PrefEval error type of a reply that does not follow the preference.
 * @example
 * const error: PrefEvalErrorType = "unaware-violation";
 */
export type PrefEvalErrorType = (typeof PREFEVAL_ERROR_TYPES)[number];

/**
 * What a judgment says about a reply.
 * @example
 * const classification: ReplyClassification = classifyReply(judgment);
 * if (classification.status === "judged" && !classification.follows) console.log(classification.error);
 */
export type ReplyClassification =
  | {
      status: "judged";
      follows: boolean;
      error: PrefEvalErrorType | null;
      helpful: boolean;
      /** The checks' answers as far as they were read (the outcome may not have needed them all). */
      violates?: boolean;
      acknowledges?: boolean;
      hallucinates?: boolean;
    }
  /** A check the outcome depends on could not be read (after one retry). */
  | { status: "unreadable"; checks: CheckName[] }
  /** A check the outcome depends on failed (the judge's endpoint errored); the next run asks again. */
  | { status: "failed"; checks: CheckName[] };

/**
 * Classifies a reply as PrefEval does: it follows the preference when it is
 * helpful and does not violate it; otherwise the error is "unhelpful", or,
 * for a helpful reply that violates it, "inconsistent" (acknowledges the
 * preference, restates it right, violates it anyway), "hallucinated-violation"
 * (acknowledges a preference the user does not have) or "unaware-violation"
 * (never acknowledges it). Only the checks the outcome depends on must be
 * readable: an unhelpful reply needs helpfulness only, a helpful one that does
 * not violate needs violation too, a violating one needs acknowledgment and,
 * when acknowledged, hallucination.
 *
 * @param judgment - The checks.
 * @returns The classification.
 * @example
 * ```ts no-run
 * const verdict = classifyReply(record.judgment);
 * if (verdict.status === "judged") console.log(verdict.follows, verdict.error);
 * ```
 */
export function classifyReply(judgment: PrefEvalJudgment): ReplyClassification {
  const missing = (name: CheckName): ReplyClassification =>
    judgment[name]?.status === "failed" ? { status: "failed", checks: [name] } : { status: "unreadable", checks: [name] };
  const helpful = said(judgment.helpful);
  if (helpful === undefined) return missing("helpful");
  const violates = said(judgment.violates);
  const acknowledges = said(judgment.acknowledges);
  const hallucinates = acknowledges ? said(judgment.hallucinates) : undefined;
  // What was read, whether or not the outcome needed it.
  const seen = {
    helpful,
    ...(violates !== undefined ? { violates } : {}),
    ...(acknowledges !== undefined ? { acknowledges } : {}),
    ...(hallucinates !== undefined ? { hallucinates } : {}),
  };
  if (!helpful) return { status: "judged", ...seen, follows: false, error: "unhelpful" };
  if (violates === undefined) return missing("violates");
  if (!violates) return { status: "judged", ...seen, follows: true, error: null };
  if (acknowledges === undefined) return missing("acknowledges");
  if (!acknowledges) return { status: "judged", ...seen, follows: false, error: "unaware-violation" };
  if (hallucinates === undefined) return missing("hallucinates");
  return { status: "judged", ...seen, follows: false, error: hallucinates ? "hallucinated-violation" : "inconsistent" };
}
