import { addCosts, BENCH_ROLES, costTotals, type BenchRole, type CostByRole } from "../cost.js";
import {
  repeatOf,
  type BenchRecord,
  type EpisodeFailure,
  type EpisodeResult,
  type PairwiseFailure,
  type PairwiseResult,
  type SceneResult,
} from "../results.js";
import { BOOTSTRAP, bootstrapMean, pairedDifference, type Interval } from "../stats/bootstrap.js";

/** Session groups of the paper's win-rate figure. */
export const SESSION_GROUPS = [
  { label: "1-3", from: 1, to: 3 },
  { label: "4-6", from: 4, to: 6 },
  { label: "7-10", from: 7, to: Infinity },
];

export function sessionGroup(sceneIndex: number): string {
  return SESSION_GROUPS.find((group) => sceneIndex >= group.from && sceneIndex <= group.to)!.label;
}

/**
 * What a report covers: these personas, their first `scenes` scenes, repeats 1..repeats.
 * @example
 * const scope: ReportScope = { personas: [{ id: "丽丽", scenes: 5 }], repeats: 1 };
 */
export interface ReportScope {
  personas: Array<{ id: string; scenes: number }>;
  repeats: number;
}

/**
 * Calls, failures and unreadable replies of one role under one condition.
 * @example
 * const health: RoleHealth | undefined = summary.conditions[0]?.roles.judge;
 */
export interface RoleHealth {
  /** Model calls made, failed ones included. */
  calls: number;
  /** Calls that ended in an error. */
  failed: number;
  /** Replies whose content the benchmark reads (decisions, verdicts, learner runs, chatbot replies, tool results). */
  outcomes: number;
  /** Of those, the ones that could not be read. */
  unreadable: number;
  failureRate: number | null;
  unreadableRate: number | null;
}

/**
 * The roles whose failure or unreadable rate passes `maxFailureRate`, per condition.
 * @param conditions - each condition's name and role health
 * @param maxFailureRate - the highest rate that is not a breach
 * @returns the breaches, in condition and role order
 */
export function findBreaches(conditions: ReadonlyArray<{ condition: string; roles: Record<BenchRole, RoleHealth> }>, maxFailureRate: number): Breach[] {
  const breaches: Breach[] = [];
  for (const { condition, roles } of conditions) {
    for (const role of BENCH_ROLES) {
      const h = roles[role];
      if (h.failureRate !== null && h.failureRate > maxFailureRate) {
        breaches.push({ condition, role, kind: "failure", rate: h.failureRate, count: h.failed, of: h.calls });
      }
      if (h.unreadableRate !== null && h.unreadableRate > maxFailureRate) {
        breaches.push({ condition, role, kind: "unreadable", rate: h.unreadableRate, count: h.unreadable, of: h.outcomes });
      }
    }
  }
  return breaches;
}


/**
 * A role whose failure or unreadable rate passed the threshold.
 * @example
 * for (const breach of summary.breaches as Breach[]) console.warn(breach.condition, breach.role, breach.rate);
 */
export interface Breach {
  condition: string;
  role: BenchRole;
  kind: "failure" | "unreadable";
  rate: number;
  count: number;
  of: number;
}

/**
 * Outcomes of a learning condition's learning runs.
 * @example
 * const learning: LearningSection | undefined = summary.conditions.find((c) => c.condition === "learning:3")?.learning;
 */
export interface LearningSection {
  runs: number;
  applied: number;
  noChanges: number;
  allRejected: number;
  malformed: number;
  failed: number;
  alreadyLearned: number;
  other: number;
  changesApplied: number;
  /** Rejected changes by reason (names and numbers in the reason replaced by "…" and N). */
  rejectedByReason: Record<string, number>;
  /** Waiting sessions left out by the protocol's window. */
  setAside: number;
}

/** The figures a report shows; problems and differences refer to them by these names. */
export const FIGURES = ["turns", "satisfied", "helpfulness", "personalization", "similarity", "winRate"] as const;
export type Figure = (typeof FIGURES)[number];

/**
 * Which roles a figure depends on: a failure or unreadable reply of one of
 * them marks the figure. The judge marks a figure through its own judgments
 * only (first-reply verdicts, similarity verdicts, pairwise judgments).
 */
export const FIGURE_ROLES: Record<Figure, BenchRole[]> = {
  turns: ["chatbot", "tool", "user", "learner"],
  satisfied: ["chatbot", "tool", "user", "learner"],
  helpfulness: ["chatbot", "tool", "learner"],
  personalization: ["chatbot", "tool", "learner"],
  similarity: ["learner"],
  winRate: ["chatbot", "tool", "learner"],
};

/**
 * The figures of one condition: coverage, turns, judge scores with confidence intervals, cost,
 * role health and (learning conditions) learning outcomes.
 * @example
 * const none: ConditionSummary | undefined = summarize(records, ["none"], 5).conditions[0];
 */
export interface ConditionSummary {
  condition: string;
  /** Personas with at least one recorded scene. */
  personas: number;
  repeats: number;
  /** Scenes the scope asks for (personas × scenes × repeats). */
  scenesPlanned: number;
  /** Scenes recorded (latest record per scene and repeat). */
  scenes: number;
  /** Recorded scenes whose simulated-user decision was unreadable: left out of turns and satisfied rate. */
  scenesUnreadable: number;
  /** Recorded scenes that hit the turn cap (they count as the cap). */
  scenesCapped: number;
  /** Episode failures not resolved by a later run. */
  failures: EpisodeFailure[];
  /** Turns per scene until satisfied (capped scenes count as the cap); mean over personas. */
  turns: Interval;
  /** Share of readable scenes that ended satisfied; mean over personas. */
  satisfied: Interval;
  helpfulness: Interval;
  personalization: Interval;
  /** Verdicts the first-reply judge returned unreadable (left out of the scores). */
  judgeUnreadable: number;
  turnsByScene: Record<string, Interval>;
  /** End-of-episode similarity of the learned persona to the golden one (learning conditions, when judged). */
  similarity?: {
    overall: Interval;
    groups: Record<string, Interval>;
    judged: number;
    unreadable: number;
    /** Episodes in scope with no similarity verdict (not finished, or failed). */
    missing: number;
  };
  /** Win rate against golden (ties count half), per session group and overall. */
  winRate?: { overall: Interval; groups: Record<string, Interval>; judgments: number; unreadable: number; failed: number };
  /** Differences to golden and to none, paired by persona. */
  vsGolden?: Partial<Record<Figure, Interval>>;
  vsNone?: Partial<Record<Figure, Interval>>;
  learning?: LearningSection;
  roles: Record<BenchRole, RoleHealth>;
  /** Per figure, what went wrong in its inputs; a figure with any entry is marked in the report. */
  problems: Partial<Record<Figure, string[]>>;
  cost: CostByRole & { total: { calls: number; promptTokens: number; completionTokens: number } };
  /** Sum of scene wall times (with concurrency the run itself is shorter). */
  wallMs: number;
}

/**
 * The figures of a report: one summary per condition, the turn cap, the scope, the failure
 * threshold and the breaches of it.
 * @example
 * const summary: BenchSummary = summarize(records, ["none", "learning:3"], 5);
 * console.log(consoleTable(summary).join("\n"));
 */
export interface BenchSummary {
  conditions: ConditionSummary[];
  turnCap: number;
  scope: ReportScope;
  maxFailureRate: number;
  breaches: Breach[];
  bootstrap: typeof BOOTSTRAP;
}

/** Turns a scene counts for: its turns when satisfied, the cap when capped; unreadable decisions count for nothing. */
function sceneTurns(scene: SceneResult, cap: number): number | undefined {
  if (scene.outcome === "user_malformed") return undefined;
  return scene.outcome === "capped" ? Math.max(scene.turns, cap) : scene.turns;
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined);

/** Per-persona means of a value computed per item; items without a value are left out. */
function perPersona<T extends { personaId: string }>(items: T[], value: (item: T) => number | undefined): Map<string, number> {
  const groups = new Map<string, number[]>();
  for (const item of items) {
    const v = value(item);
    if (v === undefined || !Number.isFinite(v)) continue;
    const list = groups.get(item.personaId) ?? [];
    list.push(v);
    groups.set(item.personaId, list);
  }
  return new Map([...groups].map(([id, list]) => [id, mean(list)!]));
}

const interval = (values: Map<string, number>) => bootstrapMean([...values.keys()].sort().map((key) => values.get(key)!));

/** Normalizes a rejection reason for counting: quoted names become "…", numbers N, details after ": " dropped. */
export function reasonKey(reason: string): string {
  return reason.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, "N").split(": ")[0].trim();
}

/** A role's health from its calls, failed calls, readable-or-not replies and unreadable ones. */
export function health(calls: number, failed: number, outcomes: number, unreadable: number): RoleHealth {
  return {
    calls,
    failed,
    outcomes,
    unreadable,
    failureRate: calls ? failed / calls : null,
    unreadableRate: outcomes ? unreadable / outcomes : null,
  };
}

/** The scope of everything recorded: every persona seen, up to its highest scene index and repeat. */
export function scopeOfRecords(records: BenchRecord[]): ReportScope {
  const scenes = new Map<string, number>();
  let repeats = 1;
  for (const record of records) {
    if (record.type !== "scene" && record.type !== "episode-error") continue;
    scenes.set(record.personaId, Math.max(scenes.get(record.personaId) ?? 0, record.sceneIndex));
    repeats = Math.max(repeats, repeatOf(record));
  }
  return { personas: [...scenes].sort(([a], [b]) => a.localeCompare(b)).map(([id, n]) => ({ id, scenes: n })), repeats };
}

interface Scoped {
  scenes: SceneResult[];
  episodes: EpisodeResult[];
  failures: EpisodeFailure[];
  pairs: PairwiseResult[];
  pairFailures: PairwiseFailure[];
}

/** The latest records per scene / episode / judgment of one condition inside the scope. */
function scoped(records: BenchRecord[], condition: string, scope: ReportScope): Scoped {
  const limit = new Map(scope.personas.map((p) => [p.id, p.scenes]));
  const inScope = (r: { personaId: string; sceneIndex: number; repeat?: number }) =>
    limit.has(r.personaId) && r.sceneIndex >= 1 && r.sceneIndex <= limit.get(r.personaId)! && repeatOf(r) <= scope.repeats;
  const scenes = new Map<string, SceneResult>();
  const episodes = new Map<string, EpisodeResult>();
  const pairs = new Map<string, PairwiseResult>();
  for (const r of records) {
    if (r.condition !== condition) continue;
    if (r.type === "scene" && inScope(r)) scenes.set(`${r.personaId}|${r.sceneIndex}|${repeatOf(r)}`, r);
    // One figure per persona and repeat: the episode judged at exactly the scope's scene count.
    if (r.type === "episode" && limit.get(r.personaId) === r.scenes && repeatOf(r) <= scope.repeats) {
      episodes.set(`${r.personaId}|${repeatOf(r)}`, r);
    }
    if (r.type === "pairwise" && inScope(r)) pairs.set(`${r.personaId}|${r.sceneIndex}|${repeatOf(r)}|${r.order}`, r);
  }
  const failures = records.filter(
    (r): r is EpisodeFailure =>
      r.type === "episode-error" &&
      r.condition === condition &&
      limit.has(r.personaId) &&
      repeatOf(r) <= scope.repeats &&
      (r.sceneIndex === 0 ? !episodes.has(`${r.personaId}|${repeatOf(r)}`) : inScope(r) && !scenes.has(`${r.personaId}|${r.sceneIndex}|${repeatOf(r)}`)),
  );
  // Keep one failure per place (the latest).
  const latestFailure = new Map(failures.map((f) => [`${f.personaId}|${f.sceneIndex}|${repeatOf(f)}`, f]));
  const pairFailures = records.filter(
    (r): r is PairwiseFailure =>
      r.type === "pairwise-error" && r.condition === condition && inScope(r) && !pairs.has(`${r.personaId}|${r.sceneIndex}|${repeatOf(r)}|${r.order}`),
  );
  const latestPairFailure = new Map(pairFailures.map((f) => [`${f.personaId}|${f.sceneIndex}|${repeatOf(f)}|${f.order}`, f]));
  return {
    scenes: [...scenes.values()],
    episodes: [...episodes.values()],
    failures: [...latestFailure.values()],
    pairs: [...pairs.values()],
    pairFailures: [...latestPairFailure.values()],
  };
}

/**
 * Aggregates result records into per-condition figures for a scope. Every
 * figure is a mean over personas (each persona's mean over its scenes and
 * repeats) with a 95 % bootstrap interval; unreadable replies are left out of
 * the figures they would feed and counted; failures and unreadable replies are
 * counted per role and mark the figures they affect.
 * @param records - the result records of a run (results.jsonl)
 * @param conditions - the conditions to report, in order
 * @param turnCap - the run's turn cap
 * @param options - the `scope` to report (default: what the records cover) and `maxFailureRate` (default 0.05)
 * @returns the summary
 * @example
 * const summary = summarize(records, ["none", "golden"], 5, { maxFailureRate: 0.1 });
 */
export function summarize(
  records: BenchRecord[],
  conditions: string[],
  turnCap: number,
  options: { scope?: ReportScope; maxFailureRate?: number } = {},
): BenchSummary {
  const scope = options.scope ?? scopeOfRecords(records);
  const maxFailureRate = options.maxFailureRate ?? 0.05;
  const planned = scope.personas.reduce((sum, p) => sum + p.scenes, 0) * scope.repeats;
  const perPersonaFigures = new Map<string, Partial<Record<Figure, Map<string, number>>>>();
  const out: ConditionSummary[] = [];

  for (const condition of conditions) {
    const { scenes, episodes, failures, pairs, pairFailures } = scoped(records, condition, scope);
    const readable = scenes.filter((s) => s.outcome !== "user_malformed");
    const judged = scenes.filter((s) => s.judge?.status === "ok");
    const figures: Partial<Record<Figure, Map<string, number>>> = {
      turns: perPersona(readable, (s) => sceneTurns(s, turnCap)),
      satisfied: perPersona(readable, (s) => (s.outcome === "satisfied" ? 1 : 0)),
      helpfulness: perPersona(judged, (s) => (s.judge?.status === "ok" ? s.judge.value.helpfulness : undefined)),
      personalization: perPersona(judged, (s) => (s.judge?.status === "ok" ? s.judge.value.personalization : undefined)),
    };
    const turnsByScene: Record<string, Interval> = {};
    for (const index of [...new Set(scenes.map((s) => s.sceneIndex))].sort((a, b) => a - b)) {
      turnsByScene[index] = interval(perPersona(readable.filter((s) => s.sceneIndex === index), (s) => sceneTurns(s, turnCap)));
    }

    let cost: CostByRole = {};
    for (const record of [...scenes, ...episodes, ...pairs, ...failures, ...pairFailures]) {
      if (record.cost) cost = addCosts(cost, record.cost);
    }

    const summary: ConditionSummary = {
      condition,
      personas: new Set(scenes.map((s) => s.personaId)).size,
      repeats: scope.repeats,
      scenesPlanned: planned,
      scenes: scenes.length,
      scenesUnreadable: scenes.length - readable.length,
      scenesCapped: scenes.filter((s) => s.outcome === "capped").length,
      failures,
      turns: interval(figures.turns!),
      satisfied: interval(figures.satisfied!),
      helpfulness: interval(figures.helpfulness!),
      personalization: interval(figures.personalization!),
      judgeUnreadable: scenes.filter((s) => s.judge?.status === "malformed").length,
      turnsByScene,
      roles: {} as Record<BenchRole, RoleHealth>,
      problems: {},
      cost: { ...cost, total: costTotals(cost) },
      wallMs: scenes.reduce((sum, s) => sum + s.wallMs, 0),
    };

    const similarities = episodes.flatMap((e) => (e.similarity ? [{ personaId: e.personaId, verdict: e.similarity }] : []));
    const isLearning = condition.startsWith("learning");
    if (similarities.length || (isLearning && episodes.length)) {
      const ok = similarities.flatMap((s) => (s.verdict.status === "ok" ? [{ personaId: s.personaId, scores: s.verdict.value.scores }] : []));
      const groupNames = [...new Set(ok.flatMap((s) => Object.keys(s.scores)))];
      figures.similarity = perPersona(ok, (s) => mean(Object.values(s.scores)));
      const episodesPlanned = scope.personas.length * scope.repeats;
      summary.similarity = {
        overall: interval(figures.similarity),
        groups: Object.fromEntries(groupNames.map((g) => [g, interval(perPersona(ok, (s) => s.scores[g]))])),
        judged: ok.length,
        unreadable: similarities.filter((s) => s.verdict.status === "malformed").length,
        missing: Math.max(0, episodesPlanned - similarities.length),
      };
    }

    if (pairs.length || pairFailures.length) {
      const scored = pairs.filter((p) => p.conditionScore !== undefined);
      figures.winRate = perPersona(scored, (p) => p.conditionScore);
      summary.winRate = {
        overall: interval(figures.winRate),
        groups: Object.fromEntries(
          SESSION_GROUPS.map((g) => [g.label, interval(perPersona(scored.filter((p) => sessionGroup(p.sceneIndex) === g.label), (p) => p.conditionScore))]),
        ),
        judgments: pairs.length,
        unreadable: pairs.length - scored.length,
        failed: pairFailures.length,
      };
    }

    if (isLearning) {
      const runs = scenes.flatMap((s) => s.learningRuns ?? (s.learning ? [s.learning] : []));
      const count = (outcome: string) => runs.filter((r) => r.outcome === outcome).length;
      const rejectedByReason: Record<string, number> = {};
      for (const run of runs) for (const reason of run.rejectedReasons ?? []) rejectedByReason[reasonKey(reason)] = (rejectedByReason[reasonKey(reason)] ?? 0) + 1;
      const known = ["applied", "no_changes", "all_rejected", "malformed", "error", "already_learned"];
      summary.learning = {
        runs: runs.length,
        applied: count("applied"),
        noChanges: count("no_changes"),
        allRejected: count("all_rejected"),
        malformed: count("malformed"),
        failed: count("error"),
        alreadyLearned: count("already_learned"),
        other: runs.filter((r) => !known.includes(r.outcome)).length,
        changesApplied: runs.reduce((sum, r) => sum + r.applied, 0),
        rejectedByReason,
        setAside: runs.reduce((sum, r) => sum + (r.setAside?.length ?? 0), 0),
      };
    }

    // Role health: calls and failures from the meters; outcomes and unreadable ones from the records.
    const learningRuns = summary.learning?.runs ?? 0;
    const verdicts = scenes.filter((s) => s.judge).length + similarities.length + pairs.length;
    const unreadableVerdicts = summary.judgeUnreadable + (summary.similarity?.unreadable ?? 0) + (summary.winRate?.unreadable ?? 0);
    // Verdicts whose call failed returned nothing to read: they count as failed calls, not as replies.
    const failedVerdicts = scenes.filter((s) => s.judge?.status === "failed").length + similarities.filter((s) => s.verdict.status === "failed").length;
    const toolCalls = scenes.flatMap((s) => s.toolCalls);
    const outcomes: Record<BenchRole, [number, number]> = {
      chatbot: [scenes.reduce((sum, s) => sum + s.turns, 0), scenes.reduce((sum, s) => sum + (s.emptyReplies ?? 0), 0)],
      user: [scenes.reduce((sum, s) => sum + s.turns, 0), summary.scenesUnreadable],
      tool: [toolCalls.length, toolCalls.filter((t) => t.empty).length],
      learner: [learningRuns, summary.learning?.malformed ?? 0],
      judge: [verdicts - failedVerdicts, unreadableVerdicts],
    };
    for (const role of BENCH_ROLES) {
      const c = cost[role];
      summary.roles[role] = health(c?.calls ?? 0, c?.failed ?? 0, outcomes[role][0], outcomes[role][1]);
    }

    // Marks: every figure whose inputs had failures or unreadable replies says which.
    const roleNotes = (roles: BenchRole[]) =>
      roles.flatMap((role) => {
        const h = summary.roles[role];
        return [
          ...(h.failed ? [`${role}: ${h.failed} of ${h.calls} calls failed`] : []),
          ...(h.unreadable ? [`${role}: ${h.unreadable} of ${h.outcomes} replies unreadable`] : []),
        ];
      });
    const judgeNotes = (kind: string, asked: number, failed: number, unreadable: number) => [
      ...(failed ? [`judge: ${failed} of ${asked} ${kind} failed`] : []),
      ...(unreadable ? [`judge: ${unreadable} of ${asked} ${kind} unreadable`] : []),
    ];
    const firstReplyAsked = scenes.filter((s) => s.judge).length;
    const judgeByFigure: Partial<Record<Figure, string[]>> = {
      helpfulness: judgeNotes("first-reply verdicts", firstReplyAsked, scenes.filter((s) => s.judge?.status === "failed").length, summary.judgeUnreadable),
      similarity: judgeNotes(
        "similarity verdicts",
        similarities.length,
        similarities.filter((s) => s.verdict.status === "failed").length,
        summary.similarity?.unreadable ?? 0,
      ),
      winRate: judgeNotes("pairwise judgments", pairs.length + pairFailures.length, pairFailures.length, summary.winRate?.unreadable ?? 0),
    };
    judgeByFigure.personalization = judgeByFigure.helpfulness;
    const missingScenes = planned - scenes.length;
    for (const figure of FIGURES) {
      if (figure === "similarity" && !summary.similarity) continue;
      if (figure === "winRate" && !summary.winRate) continue;
      const notes = [...roleNotes(FIGURE_ROLES[figure].filter((role) => role !== "learner" || isLearning)), ...(judgeByFigure[figure] ?? [])];
      if (missingScenes > 0 && figure !== "similarity") notes.push(`${missingScenes} of ${planned} scenes not recorded`);
      if (figure === "similarity" && summary.similarity?.missing) notes.push(`${summary.similarity.missing} episodes without a verdict`);
      if (notes.length) summary.problems[figure] = [...new Set(notes)];
    }
    perPersonaFigures.set(condition, figures);
    out.push(summary);
  }

  // Differences to golden and to none, paired by persona.
  for (const summary of out) {
    const mine = perPersonaFigures.get(summary.condition)!;
    for (const [reference, key] of [
      ["golden", "vsGolden"],
      ["none", "vsNone"],
    ] as const) {
      const other = perPersonaFigures.get(reference);
      if (!other || summary.condition === reference) continue;
      const differences: Partial<Record<Figure, Interval>> = {};
      for (const figure of ["turns", "satisfied", "helpfulness", "personalization"] as const) {
        if (mine[figure] && other[figure]) differences[figure] = pairedDifference(mine[figure], other[figure]);
      }
      summary[key] = differences;
    }
  }

  const breaches = findBreaches(out, maxFailureRate);
  return { conditions: out, turnCap, scope, maxFailureRate, breaches, bootstrap: BOOTSTRAP };
}
