import type { LearningOutcome, PersonaValues } from "../../index.js";
import type { BenchRole, CostByRole } from "../cost.js";
import type { JudgeOutcome } from "../judge/structuredCall.js";
import type { PrefEvalCondition } from "./conditions.js";
import type { PrefEvalForm } from "./data/types.js";
import type { CheckVerdict, PrefEvalJudgment } from "./judge/checks.js";

/**
 * The learning run after session 1 (persona condition).
 * @example
 * const learning: PrefEvalLearning | undefined = result.learning;
 */
export interface PrefEvalLearning {
  outcome: LearningOutcome;
  version: number;
  applied: number;
  rejected: number;
  /** Why each rejected change was rejected (from the learning log). */
  rejectedReasons: string[];
  error?: string;
  /** What the semantic guard did in this run, when it ran (calls counted under the learner role). */
  semanticGuard?: { calls: number; accepted: number; rejected: number; unreadable: number; errors: number; error?: string };
}

/**
 * Where one item's run is: the unit of work and of resuming.
 * @example
 * const place: PrefEvalPlace = { condition: "persona", itemId: "travel_restaurant_0", form: "explicit", topic: "travel_restaurant", fillers: 3 };
 */
export interface PrefEvalPlace {
  condition: PrefEvalCondition;
  itemId: string;
  form: PrefEvalForm;
  topic: string;
  /** Filler turns in session 1; null for conditions that do not play session 1 (none, golden). */
  fillers: number | null;
}

/**
 * One item under one condition (and filler count), answered and judged.
 * @example
 * const judged = records.filter((r): r is PrefEvalItemResult => r.type === "prefeval-item");
 */
export interface PrefEvalItemResult extends PrefEvalPlace {
  type: "prefeval-item";
  /** The store user of this attempt (its persona and sessions stay in state.sqlite). */
  userId: string;
  /** The thread of session 1 (absent when not played) and the thread the question was asked in. */
  threads: { session1?: string; question: string };
  /** Session 1: exchanges played (recorded ones replayed without a model call) and the chatbot's own replies in it. */
  session1?: { exchanges: number; replayed: number; generated: Array<{ user: string; assistant: string }> };
  /** The message the question was asked with (the reminder condition adds the preference). */
  message: string;
  reply: string;
  /** The chatbot's reply had no text: not judged, counted as an unreadable chatbot reply. */
  emptyReply?: boolean;
  learning?: PrefEvalLearning;
  /** The persona the chatbot had when it answered the question. */
  persona: PersonaValues;
  personaVersion: number;
  /** PrefEval's four checks (absent when the reply was empty). */
  judgment?: PrefEvalJudgment;
  /** Persona condition: does the stored persona record the preference at all? */
  storedPreference?: JudgeOutcome<CheckVerdict>;
  cost: CostByRole;
  wallMs: number;
  at: string;
}

/**
 * An item whose run stopped on an error before it could be judged; the next run retries it.
 * @example
 * const failed = records.filter((r): r is PrefEvalFailure => r.type === "prefeval-error");
 */
export interface PrefEvalFailure extends PrefEvalPlace {
  type: "prefeval-error";
  /** What the item was doing: session 1, learning, the golden seed, or the question. */
  stage: "session1" | "learning" | "golden" | "question";
  /** The role whose model call failed, when it was a model call. */
  role?: BenchRole;
  /** The store user of the failed attempt (a retry uses a new one). */
  userId?: string;
  error: string;
  cost?: CostByRole;
  at: string;
}

/**
 * One line of a PrefEval run's results: a judged item or an item that failed.
 * @example
 * const records: PrefEvalRecord[] = readFileSync("out/results.jsonl", "utf8").trim().split("\n").map((line) => JSON.parse(line));
 */
export type PrefEvalRecord = PrefEvalItemResult | PrefEvalFailure;

/** The key of a place: condition, item and filler count. */
export function placeKey(place: Pick<PrefEvalPlace, "condition" | "itemId" | "fillers">): string {
  return `${place.condition}\u0000${place.itemId}\u0000${place.fillers ?? "-"}`;
}
