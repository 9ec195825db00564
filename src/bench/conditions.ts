/** A chatbot condition of the benchmark. */
export type BenchCondition =
  | { id: "none"; kind: "none" }
  | { id: "golden"; kind: "golden" }
  | { id: `learning:${number}`; kind: "learning"; updateEvery: number }
  | { id: "full-history"; kind: "full-history" }
  | { id: "rag"; kind: "rag" };

export const ALL_CONDITIONS = "none,golden,learning:1,learning:3,learning:5,full-history,rag";

const DESCRIPTIONS: Record<BenchCondition["kind"], string> = {
  none: "no persona; sessions are recorded but never learned",
  golden: "the true persona, stored as version 1 before the first scene; never relearned",
  learning: "starts with an empty persona; relearned inline after every k ended sessions",
  "full-history": "no persona; every past session of this user in the system prompt",
  rag: "no persona; the most relevant past sessions (BM25) in the system prompt",
};

export function describeCondition(condition: BenchCondition): string {
  return condition.kind === "learning"
    ? `${DESCRIPTIONS.learning.replace("every k", `every ${condition.updateEvery}`)}`
    : DESCRIPTIONS[condition.kind];
}

/** Parses "none,golden,learning:3,full-history,rag"; "learning" alone means learning:3. */
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
