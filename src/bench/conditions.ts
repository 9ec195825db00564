import { PROTOCOLS, type BenchProtocol } from "./protocol.js";

/**
 * A chatbot condition of the benchmark.
 * @example
 * const condition: BenchCondition = { id: "learning:3", kind: "learning", updateEvery: 3 };
 */
export type BenchCondition =
  | { id: "none"; kind: "none" }
  | { id: "golden"; kind: "golden" }
  | { id: `learning:${number}`; kind: "learning"; updateEvery: number }
  | { id: "full-history"; kind: "full-history" }
  | { id: "rag"; kind: "rag" };

/**
 * Every condition, as `--conditions` takes them (the default of `persona bench`).
 * @example
 * parseConditions(ALL_CONDITIONS).map((condition) => condition.id);
 */
export const ALL_CONDITIONS = "none,golden,learning:1,learning:3,learning:5,full-history,rag";

const DESCRIPTIONS: Record<Exclude<BenchCondition["kind"], "learning">, string> = {
  none: "no persona; sessions are recorded but never learned",
  golden: "the true persona, stored as version 1 before the first scene; never relearned",
  "full-history": "no persona; every past session of this user in the system prompt",
  rag: "no persona; the most relevant past sessions (BM25) in the system prompt",
};

/**
 * One line saying what a condition does under a protocol.
 *
 * @param condition - A parsed condition.
 * @param protocol - The run's protocol. @default PROTOCOLS.default
 * @returns The description.
 * @example
 * ```ts no-run
 * describeCondition(parseConditions("learning:3")[0], PROTOCOLS.release);
 * ```
 */
export function describeCondition(condition: BenchCondition, protocol: BenchProtocol = PROTOCOLS.default): string {
  if (condition.kind !== "learning") return DESCRIPTIONS[condition.kind];
  const k = condition.updateEvery;
  const start =
    protocol.learningStart === "golden"
      ? `starts from the golden persona${protocol.frozenGroups.length ? ` (${protocol.frozenGroups.join(", ")} frozen)` : ""}`
      : "starts with an empty persona";
  const schedule =
    protocol.schedule === "release"
      ? `relearned after scene n when ${k} divides n and after each of the last 3 scenes, from the last ${protocol.window?.sessions ?? "all"} waiting sessions`
      : `relearned inline after every ${k} ended sessions`;
  return `${start}; ${schedule}`;
}

/**
 * Parses "none,golden,learning:3,full-history,rag"; "learning" alone means learning:3.
 * Throws on an unknown or repeated condition.
 * @param text - comma-separated condition ids
 * @returns the conditions, in the order given
 * @example
 * parseConditions("none,learning"); // [{ id: "none", kind: "none" }, { id: "learning:3", kind: "learning", updateEvery: 3 }]
 */
export function parseConditions(text: string): BenchCondition[] {
  const out: BenchCondition[] = [];
  for (const part of text.split(",").map((item) => item.trim()).filter(Boolean)) {
    let condition: BenchCondition;
    if (part === "none" || part === "golden" || part === "full-history" || part === "rag") {
      condition = { id: part, kind: part } as BenchCondition;
    } else {
      const match = /^learning(?::(\d+))?$/.exec(part);
      const k = match ? Number(match[1] ?? 3) : NaN;
      if (!match || !Number.isInteger(k) || k < 1) {
        throw new Error(
          `unknown condition "${part}": use none, golden, learning:<k> (k ≥ 1), full-history or rag, comma separated`,
        );
      }
      condition = { id: `learning:${k}`, kind: "learning", updateEvery: k };
    }
    if (!out.some((existing) => existing.id === condition.id)) out.push(condition);
  }
  if (out.length === 0) throw new Error(`no conditions given; for example --conditions ${ALL_CONDITIONS}`);
  return out;
}
