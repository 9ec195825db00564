import { existsSync } from "node:fs";
import { estimatePrefEval, formatPrefEvalEstimate } from "../../../src/bench/prefeval/dryRun.js";
import { parsePrefEvalConditions } from "../../../src/bench/prefeval/conditions.js";
import { FIXTURE, SHARED_SLICE } from "./helpers.js";

const ALL = parsePrefEvalConditions("none,persona,in-context,reminder,golden");

describe("the PrefEval dry run", () => {
  test("items per form and topic, runs per condition, calls per role, from the data alone", () => {
    const estimate = estimatePrefEval({ data: FIXTURE, conditions: ALL, fillers: [0, 2], semanticGuard: true });
    expect(estimate.items).toEqual({ explicit: { cooking: 2, travel: 1 }, choice: { cooking: 2, travel: 1 }, persona: { cooking: 2, travel: 1 } });
    expect(estimate.totalItems).toBe(9);
    expect(estimate.runs).toEqual({ none: 9, persona: 18, "in-context": 18, reminder: 18, golden: 9 });
    expect(estimate.totalRuns).toBe(72);
    // Chatbot: one question per run, plus the explicit statement in each run that plays session 1 (3 explicit items × 3 conditions × 2 counts).
    expect(estimate.calls.chatbot).toEqual({ fewest: 72 + 18, most: 72 + 18 });
    // Learner: one run per persona run, plus the guard's call when it runs.
    expect(estimate.calls.learner).toEqual({ fewest: 18, most: 36 });
    // Judge: 3 or 4 checks per reply, plus the stored-preference check of each persona run.
    expect(estimate.calls.judge).toEqual({ fewest: 3 * 72, most: 4 * 72 + 18 });
    expect(estimate.tokens.prompt).toBeGreaterThan(0);
    const text = formatPrefEvalEstimate(estimate).join("\n");
    expect(text).toMatch(/^dry run \(PrefEval\): 9 items, conditions none,persona,in-context,reminder,golden, filler turns 0,2, semantic guard on; no model is called/);
    expect(text).toMatch(/^items\s+cooking\s+travel\s+total$/m);
    expect(text).toMatch(/^explicit\s+2\s+1\s+3$/m);
    expect(text).toMatch(/^total\s+6\s+3\s+9$/m);
    expect(text).toContain("item runs: 72 (none 9, persona 18, in-context 18, reminder 18, golden 9; none and golden once per item)");
    expect(text).toMatch(/^judge\s+216\s+306$/m);
  });

  test("more filler turns cost more prompt tokens only where session 1 reaches the prompt", () => {
    const at = (fillers: number[], conditions: string) => estimatePrefEval({ data: FIXTURE, conditions: parsePrefEvalConditions(conditions), fillers, semanticGuard: false }).tokens.prompt;
    expect(at([5], "in-context")).toBeGreaterThan(at([0], "in-context"));
    expect(at([5], "none")).toBe(at([0], "none"));
  });

  (existsSync(SHARED_SLICE) ? test : test.skip)("on the shared slice: 198 items, 2,178 runs with the defaults", () => {
    const estimate = estimatePrefEval({ data: SHARED_SLICE, conditions: ALL, semanticGuard: true });
    expect(estimate.totalItems).toBe(198);
    expect(estimate.totalRuns).toBe(198 * 2 + 198 * 3 * 3);
    expect(estimate.fillerExchanges).toBe(316);
  });
});
