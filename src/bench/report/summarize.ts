import { addCosts, BENCH_ROLES, type CostByRole } from "../cost.js";
import type { BenchRecord, EpisodeFailure, PairwiseFailure, PairwiseResult, SceneResult } from "../results.js";

/** Session groups of the paper's win-rate figure. */
export const SESSION_GROUPS = [
  { label: "1-3", from: 1, to: 3 },
  { label: "4-6", from: 4, to: 6 },
  { label: "7-10", from: 7, to: Infinity },
];

export function sessionGroup(sceneIndex: number): string {
  return SESSION_GROUPS.find((group) => sceneIndex >= group.from && sceneIndex <= group.to)!.label;
}

export interface Mean {
  mean: number | null;
  n: number;
}

export interface ConditionSummary {
  condition: string;
  personas: number;
  scenes: number;
  /** Turns per scene until satisfied; capped scenes count as the cap; unreadable user decisions are left out. */
  turns: Mean;
  satisfiedRate: number | null;
  capped: number;
  userMalformed: number;
  helpfulness: Mean;
  personalization: Mean;
  judgeMalformed: number;
  /** Mean turns by scene index (1-based; index 0 unused). */
  turnsByScene: Record<string, Mean>;
  /** Persona similarity to the golden persona at the end, per field group and overall. */
  similarity?: { groups: Record<string, Mean>; overall: Mean; malformed: number };
  /** Win rate of this condition against golden (ties count half), per session group and overall. */
  winRate?: { groups: Record<string, Mean>; overall: Mean; malformed: number };
  learningRuns: number;
  failures: EpisodeFailure[];
  /** Pairwise judgments whose call failed and that no later run made. */
  pairwiseFailures: number;
  cost: CostByRole & { total: { calls: number; promptTokens: number; completionTokens: number } };
  /** Sum of scene wall times (with concurrency the run itself is shorter). */
  wallMs: number;
}

export interface BenchSummary {
  conditions: ConditionSummary[];
  turnCap: number;
}

function mean(values: number[]): Mean {
  return { mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null, n: values.length };
}

function totals(cost: CostByRole) {
  const total = { calls: 0, promptTokens: 0, completionTokens: 0 };
  for (const role of BENCH_ROLES) {
    const c = cost[role];
    if (!c) continue;
    total.calls += c.calls;
    total.promptTokens += c.promptTokens;
    total.completionTokens += c.completionTokens;
  }
  return total;
}

/** Turns a scene counts for: its turns when satisfied, the cap when capped; unreadable decisions count for nothing. */
function sceneTurns(scene: SceneResult, cap: number): number | undefined {
  if (scene.outcome === "user_malformed") return undefined;
  return scene.outcome === "capped" ? Math.max(scene.turns, cap) : scene.turns;
}

/** Episode failures not resolved by a later run (no scene record for the failed scene since). */
function latestFailures(records: BenchRecord[], condition: string): EpisodeFailure[] {
  const failures = records.filter((r): r is EpisodeFailure => r.type === "episode-error" && r.condition === condition);
  return failures.filter(
    (f) =>
      !records.some(
        (r) => r.type === "scene" && r.condition === condition && r.personaId === f.personaId && r.sceneIndex === f.sceneIndex,
      ) && !records.some((r) => r.type === "episode" && r.condition === condition && r.personaId === f.personaId),
  );
}

/** Aggregates result records into per-condition figures; only the latest record per scene counts. */
export function summarize(records: BenchRecord[], conditions: string[], turnCap: number): BenchSummary {
  const latestScene = new Map<string, SceneResult>();
  for (const record of records) {
    if (record.type === "scene") latestScene.set(`${record.condition}|${record.personaId}|${record.sceneIndex}`, record);
  }
  const scenes = [...latestScene.values()];
  const out: ConditionSummary[] = [];
  for (const condition of conditions) {
    const mine = scenes.filter((s) => s.condition === condition);
    const counted = mine.map((s) => sceneTurns(s, turnCap)).filter((t): t is number => t !== undefined);
    const judged = mine.filter((s) => s.judge?.status === "ok");
    const turnsByScene: Record<string, Mean> = {};
    for (const index of [...new Set(mine.map((s) => s.sceneIndex))].sort((a, b) => a - b)) {
      turnsByScene[index] = mean(
        mine
          .filter((s) => s.sceneIndex === index)
          .map((s) => sceneTurns(s, turnCap))
          .filter((t): t is number => t !== undefined),
      );
    }
    const episodes = records.filter((r) => r.type === "episode" && r.condition === condition);
    let cost: CostByRole = {};
    for (const s of mine) cost = addCosts(cost, s.cost);
    for (const e of episodes) if (e.type === "episode") cost = addCosts(cost, e.cost);
    const pairs = records.filter((r): r is PairwiseResult => r.type === "pairwise" && r.condition === condition);
    for (const p of pairs) cost = addCosts(cost, p.cost);

    const summary: ConditionSummary = {
      condition,
      personas: new Set(mine.map((s) => s.personaId)).size,
      scenes: mine.length,
      turns: mean(counted),
      satisfiedRate: mine.length ? mine.filter((s) => s.outcome === "satisfied").length / mine.length : null,
      capped: mine.filter((s) => s.outcome === "capped").length,
      userMalformed: mine.filter((s) => s.outcome === "user_malformed").length,
      helpfulness: mean(judged.map((s) => (s.judge as { value: { helpfulness: number } }).value.helpfulness)),
      personalization: mean(judged.map((s) => (s.judge as { value: { personalization: number } }).value.personalization)),
      judgeMalformed: mine.filter((s) => s.judge?.status === "malformed").length,
      turnsByScene,
      learningRuns: mine.filter((s) => s.learning).length,
      failures: latestFailures(records, condition),
      pairwiseFailures: new Set(
        records
          .filter((r): r is PairwiseFailure => r.type === "pairwise-error" && r.condition === condition)
          .map((r) => `${r.personaId}|${r.sceneIndex}|${r.order}`)
          .filter((key) => !pairs.some((p) => `${p.personaId}|${p.sceneIndex}|${p.order}` === key)),
      ).size,
      cost: { ...cost, total: totals(cost) },
      wallMs: mine.reduce((sum, s) => sum + s.wallMs, 0),
    };

    const similarities = episodes.flatMap((e) => (e.type === "episode" && e.similarity ? [e.similarity] : []));
    if (similarities.length) {
      const ok = similarities.filter((s) => s.status === "ok");
      const groupNames = [...new Set(ok.flatMap((s) => (s.status === "ok" ? Object.keys(s.value.scores) : [])))];
      summary.similarity = {
        groups: Object.fromEntries(
          groupNames.map((g) => [g, mean(ok.map((s) => (s.status === "ok" ? s.value.scores[g] : NaN)).filter(Number.isFinite))]),
        ),
        overall: mean(
          ok.map((s) => {
            const values = s.status === "ok" ? Object.values(s.value.scores) : [];
            return values.reduce((a, b) => a + b, 0) / (values.length || 1);
          }),
        ),
        malformed: similarities.length - ok.length,
      };
    }

    if (pairs.length) {
      const latest = new Map<string, PairwiseResult>();
      for (const p of pairs) latest.set(`${p.personaId}|${p.sceneIndex}|${p.order}`, p);
      const scored = [...latest.values()].filter((p) => p.conditionScore !== undefined);
      summary.winRate = {
        groups: Object.fromEntries(
          SESSION_GROUPS.map((g) => [
            g.label,
            mean(scored.filter((p) => sessionGroup(p.sceneIndex) === g.label).map((p) => p.conditionScore!)),
          ]),
        ),
        overall: mean(scored.map((p) => p.conditionScore!)),
        malformed: latest.size - scored.length,
      };
    }
    out.push(summary);
  }
  return { conditions: out, turnCap };
}
