/**
 * The chatbot conditions of the PrefEval suite (`--conditions`).
 * @example
 * PREFEVAL_CONDITIONS.filter(playsSessionOne); // the conditions that play session 1
 */
export const PREFEVAL_CONDITIONS = ["none", "persona", "in-context", "reminder", "golden"] as const;
/**
 * A chatbot condition of the PrefEval suite: none, persona, in-context, reminder or golden.
 * @example
 * const condition: PrefEvalCondition = "persona";
 */
export type PrefEvalCondition = (typeof PREFEVAL_CONDITIONS)[number];

/**
 * Default of `--conditions` under `--suite prefeval`.
 * @example
 * parsePrefEvalConditions(ALL_PREFEVAL_CONDITIONS); // every condition
 */
export const ALL_PREFEVAL_CONDITIONS = PREFEVAL_CONDITIONS.join(",");

/**
 * Conditions that play session 1 (the preference and the fillers): only they
 * depend on the filler count. `none` and `golden` go straight to the question
 * in a new thread: nothing said in session 1 could reach it.
 *
 * @param condition - A condition.
 * @returns True for persona, in-context and reminder.
 * @example
 * ```ts no-run
 * playsSessionOne("golden"); // false
 * ```
 */
export function playsSessionOne(condition: PrefEvalCondition): boolean {
  return condition === "persona" || condition === "in-context" || condition === "reminder";
}

const DESCRIPTIONS: Record<PrefEvalCondition, string> = {
  none: "no memory: the question in a new thread of a user with an empty persona (session 1 is not played: nothing from it could reach the thread)",
  persona:
    "session 1 (the preference, then the fillers) in thread A, ended; the persona graph learns inline with k = 1; the question in a new thread B, with the learned persona",
  "in-context": "session 1 in thread A, then the question in the same thread and session (PrefEval's zero-shot setting); nothing is learned",
  reminder: "as in-context, with the preference restated in the question's message (the upper bound); nothing is learned",
  golden: "the preference text stored as a Preference field of the persona before the question (new thread; session 1 is not played)",
};

/**
 * One line saying what a condition does.
 *
 * @param condition - A condition.
 * @returns The description.
 * @example
 * ```ts no-run
 * describePrefEvalCondition("persona");
 * ```
 */
export function describePrefEvalCondition(condition: PrefEvalCondition): string {
  return DESCRIPTIONS[condition];
}

/**
 * Parses `--conditions` for the PrefEval suite.
 *
 * @param text - A comma list of none, persona, in-context, reminder, golden.
 * @returns The conditions, in the order given, without repeats.
 * @example
 * ```ts no-run
 * parsePrefEvalConditions("none,persona"); // ["none", "persona"]
 * ```
 */
export function parsePrefEvalConditions(text: string): PrefEvalCondition[] {
  const out: PrefEvalCondition[] = [];
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    if (!(PREFEVAL_CONDITIONS as readonly string[]).includes(part)) {
      throw new Error(`unknown condition "${part}": use ${PREFEVAL_CONDITIONS.join(", ")}, comma separated`);
    }
    if (!out.includes(part as PrefEvalCondition)) out.push(part as PrefEvalCondition);
  }
  if (!out.length) throw new Error(`no conditions given; for example --conditions ${ALL_PREFEVAL_CONDITIONS}`);
  return out;
}
