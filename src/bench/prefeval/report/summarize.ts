import { addCosts, BENCH_ROLES, costTotals, type BenchRole, type CostByRole } from "../../cost.js";
import { findBreaches, health, reasonKey, type Breach, type RoleHealth } from "../../report/summarize.js";
import { BOOTSTRAP, bootstrapMean, pairedDifference, type Interval } from "../../stats/bootstrap.js";
import { playsSessionOne, type PrefEvalCondition } from "../conditions.js";
import type { PrefEvalForm } from "../data/types.js";
import { CHECK_NAMES, classifyReply, PREFEVAL_ERROR_TYPES, type PrefEvalErrorType, type ReplyClassification } from "../judge/checks.js";
import { placeKey, type PrefEvalFailure, type PrefEvalItemResult, type PrefEvalRecord } from "../results.js";

/**
 * The roles the PrefEval suite calls (the simulated user and the tool simulator are PersonaBench's).
 * @example
 * for (const role of PREFEVAL_ROLES) console.log(role, summary.conditions[0]?.roles[role]);
 */
export const PREFEVAL_ROLES: BenchRole[] = ["chatbot", "learner", "judge"];

/** One item of a report's scope. */
export interface ScopeItem {
  id: string;
  form: PrefEvalForm;
  topic: string;
}

/**
 * What a report covers: these items, under these conditions, at these filler counts.
 * @example
 * const scope: PrefEvalScope = { items: [{ id: "explicit/travel/1", form: "explicit", topic: "travel" }], fillers: [0], conditions: ["none"] };
 */
export interface PrefEvalScope {
  items: ScopeItem[];
  fillers: number[];
  conditions: PrefEvalCondition[];
}

/** "all" where a breakdown pools over that dimension. */
export type All = "all";

/**
 * Accuracy and error types of one group of judged replies.
 * @example
 * const cell: AccuracyCell | undefined = cellAt(summary, { condition: "persona", form: "all", topic: "all", fillers: "all" });
 */
export interface AccuracyCell {
  condition: PrefEvalCondition;
  form: PrefEvalForm | All;
  topic: string | All;
  /** The filler count; null for a condition that does not play session 1; "all" pooled. */
  fillers: number | null | All;
  /** Share of judged replies that follow the preference: mean over items (each item's mean over its filler counts when pooled), 95 % bootstrap interval over items. */
  accuracy: Interval;
  /** Judged replies in the cell. */
  judged: number;
  /** Replies left out: a check they depended on was unreadable, or the reply was empty. */
  unreadable: number;
  /** Replies whose judgment is still missing because a judge call failed. */
  judgeFailed: number;
  /** Judged replies by error type. */
  errors: Record<PrefEvalErrorType, number>;
}

/** The persona condition's learning runs. */
export interface PrefEvalLearningSection {
  /** Learning runs recorded in item results (failed runs are item failures, counted in `failedRuns`). */
  runs: number;
  applied: number;
  noChanges: number;
  allRejected: number;
  malformed: number;
  /** Items whose learning run errored and that no later run resolved. */
  failedRuns: number;
  changesApplied: number;
  rejectedByReason: Record<string, number>;
  /** The semantic guard across those runs (its calls are the learner role's). */
  guard: { runs: number; calls: number; accepted: number; rejected: number; unreadable: number; errors: number };
}

/** The persona condition's stored-preference check, and how it splits learning from following failures. */
export interface StoredPreferenceSection {
  /** Share of items whose stored persona records the preference (judge verdicts only). */
  contains: Interval;
  byFillers: Record<string, Interval>;
  byForm: Partial<Record<PrefEvalForm, Interval>>;
  judged: number;
  /** Verdicts taken without a call because nothing was stored. */
  empty: number;
  unreadable: number;
  failed: number;
  /** Items with both a stored-preference verdict and a judged reply. */
  crossTab: { storedAndFollowed: number; storedNotFollowed: number; notStoredFollowed: number; notStoredNotFollowed: number };
}

/**
 * The figures of one PrefEval condition: coverage, accuracy, error types, cost and role health.
 * @example
 * const persona: PrefEvalConditionSummary | undefined = summary.conditions.find((c) => c.condition === "persona");
 */
export interface PrefEvalConditionSummary {
  condition: PrefEvalCondition;
  /** Whether the condition depends on the filler count. */
  usesFillers: boolean;
  /** Item runs the scope asks for. */
  planned: number;
  /** Item runs recorded (latest record per place). */
  recorded: number;
  /** Item failures no later run resolved. */
  failures: PrefEvalFailure[];
  judged: number;
  unreadable: number;
  emptyReplies: number;
  judgeFailed: number;
  /** Over all filler counts of the scope. */
  accuracy: Interval;
  errors: Record<PrefEvalErrorType, number>;
  /** Paired by item, at each filler count: this condition minus none. */
  vsNone?: Record<string, Interval>;
  /** Paired by item, at each filler count: persona minus in-context. */
  vsInContext?: Record<string, Interval>;
  learning?: PrefEvalLearningSection;
  stored?: StoredPreferenceSection;
  roles: Record<BenchRole, RoleHealth>;
  /** What went wrong in the accuracy's inputs; non-empty marks the figures. */
  problems: string[];
  cost: CostByRole & { total: { calls: number; promptTokens: number; completionTokens: number } };
  wallMs: number;
}

/**
 * The figures of a PrefEval report: per-condition summaries, accuracy cells, the scope and the breaches.
 * @example
 * const summary: PrefEvalSummary = summarizePrefEval(records, scope);
 * console.log(prefEvalConsoleTable(summary).join("\n"));
 */
export interface PrefEvalSummary {
  suite: "prefeval";
  conditions: PrefEvalConditionSummary[];
  /** Accuracy by condition × form × topic × filler count (and pooled). */
  cells: AccuracyCell[];
  scope: { items: number; fillers: number[]; conditions: PrefEvalCondition[]; forms: PrefEvalForm[]; topics: string[] };
  maxFailureRate: number;
  breaches: Breach[];
  bootstrap: typeof BOOTSTRAP;
}

const zeroErrors = (): Record<PrefEvalErrorType, number> => Object.fromEntries(PREFEVAL_ERROR_TYPES.map((e) => [e, 0])) as Record<PrefEvalErrorType, number>;

/** A record's classification; an empty reply is unreadable (the chatbot's). */
function verdictOf(record: PrefEvalItemResult): ReplyClassification {
  if (!record.judgment) return { status: "unreadable", checks: [] };
  return classifyReply(record.judgment);
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Mean per item of `value` over the records, then the bootstrap interval over items. */
function perItem(records: PrefEvalItemResult[], value: (record: PrefEvalItemResult) => number | undefined): Map<string, number> {
  const groups = new Map<string, number[]>();
  for (const record of records) {
    const v = value(record);
    if (v === undefined) continue;
    groups.set(record.itemId, [...(groups.get(record.itemId) ?? []), v]);
  }
  return new Map([...groups].map(([id, list]) => [id, mean(list)]));
}

const intervalOf = (values: Map<string, number>) => bootstrapMean([...values.keys()].sort().map((key) => values.get(key)!));
const followsValue = (record: PrefEvalItemResult) => {
  const verdict = verdictOf(record);
  return verdict.status === "judged" ? (verdict.follows ? 1 : 0) : undefined;
};

function cellOf(
  condition: PrefEvalCondition,
  records: PrefEvalItemResult[],
  where: Pick<AccuracyCell, "form" | "topic" | "fillers">,
): AccuracyCell {
  const errors = zeroErrors();
  let judged = 0;
  let unreadable = 0;
  let judgeFailed = 0;
  for (const record of records) {
    const verdict = verdictOf(record);
    if (verdict.status === "judged") {
      judged++;
      if (verdict.error) errors[verdict.error]++;
    } else if (verdict.status === "failed") judgeFailed++;
    else unreadable++;
  }
  return { condition, ...where, accuracy: intervalOf(perItem(records, followsValue)), judged, unreadable, judgeFailed, errors };
}

/** The latest record per place in scope, and the failures of places without a result. */
function scoped(records: PrefEvalRecord[], condition: PrefEvalCondition, scope: PrefEvalScope) {
  const items = new Set(scope.items.map((i) => i.id));
  const fillers = playsSessionOne(condition) ? new Set<number | null>(scope.fillers) : new Set<number | null>([null]);
  const inScope = (r: PrefEvalRecord) => r.condition === condition && items.has(r.itemId) && fillers.has(r.fillers);
  const results = new Map<string, PrefEvalItemResult>();
  const failures = new Map<string, PrefEvalFailure>();
  for (const r of records) {
    if (!inScope(r)) continue;
    if (r.type === "prefeval-item") results.set(placeKey(r), r);
    else failures.set(placeKey(r), r);
  }
  for (const key of results.keys()) failures.delete(key);
  return { results: [...results.values()], failures: [...failures.values()], planned: scope.items.length * fillers.size };
}

/**
 * Aggregates PrefEval records into figures for a scope: per condition the
 * accuracy (share of judged replies that follow the preference) and error
 * types, per filler count, form and topic, each with a 95 % bootstrap interval
 * over items; the persona condition's learning runs and stored-preference
 * check; calls, failures and unreadable replies per role, marks and breaches.
 * Unreadable and failed judgments leave the figures and are counted.
 *
 * @param records - The results log's records.
 * @param scope - Items, filler counts and conditions to report.
 * @param options - The failure threshold. @default { maxFailureRate: 0.05 }
 * @returns The summary.
 * @example
 * ```ts no-run
 * const summary = summarizePrefEval(log.records, scope, { maxFailureRate: 0.05 });
 * ```
 */
export function summarizePrefEval(records: PrefEvalRecord[], scope: PrefEvalScope, options: { maxFailureRate?: number } = {}): PrefEvalSummary {
  const maxFailureRate = options.maxFailureRate ?? 0.05;
  const forms = [...new Set(scope.items.map((i) => i.form))];
  const topics = [...new Set(scope.items.map((i) => i.topic))].sort();
  const cells: AccuracyCell[] = [];
  const out: PrefEvalConditionSummary[] = [];
  const byItemAndFillers = new Map<PrefEvalCondition, Map<string, Map<string, number>>>();

  for (const condition of scope.conditions) {
    const { results, failures, planned } = scoped(records, condition, scope);
    const usesFillers = playsSessionOne(condition);
    const fillerKeys: Array<number | null> = usesFillers ? scope.fillers : [null];
    for (const fillers of [...fillerKeys, "all" as const]) {
      const atF = fillers === "all" ? results : results.filter((r) => r.fillers === fillers);
      cells.push(cellOf(condition, atF, { form: "all", topic: "all", fillers }));
      for (const form of forms) cells.push(cellOf(condition, atF.filter((r) => r.form === form), { form, topic: "all", fillers }));
      for (const topic of topics) cells.push(cellOf(condition, atF.filter((r) => r.topic === topic), { form: "all", topic, fillers }));
    }
    byItemAndFillers.set(
      condition,
      new Map(fillerKeys.map((f) => [String(f), perItem(results.filter((r) => r.fillers === f), followsValue)])),
    );
    const pooled = cells.find((c) => c.condition === condition && c.form === "all" && c.topic === "all" && c.fillers === "all")!;

    let cost: CostByRole = {};
    for (const record of [...results, ...failures]) if (record.cost) cost = addCosts(cost, record.cost);

    const summary: PrefEvalConditionSummary = {
      condition,
      usesFillers,
      planned,
      recorded: results.length,
      failures,
      judged: pooled.judged,
      unreadable: pooled.unreadable,
      emptyReplies: results.filter((r) => r.emptyReply).length,
      judgeFailed: pooled.judgeFailed,
      accuracy: pooled.accuracy,
      errors: pooled.errors,
      roles: {} as Record<BenchRole, RoleHealth>,
      problems: [],
      cost: { ...cost, total: costTotals(cost) },
      wallMs: results.reduce((sum, r) => sum + r.wallMs, 0),
    };

    if (condition === "persona") {
      const runs = results.flatMap((r) => (r.learning ? [r.learning] : []));
      const count = (outcome: string) => runs.filter((run) => run.outcome === outcome).length;
      const rejectedByReason: Record<string, number> = {};
      for (const run of runs) for (const reason of run.rejectedReasons) rejectedByReason[reasonKey(reason)] = (rejectedByReason[reasonKey(reason)] ?? 0) + 1;
      const guards = runs.flatMap((run) => (run.semanticGuard ? [run.semanticGuard] : []));
      const sum = (key: "calls" | "accepted" | "rejected" | "unreadable" | "errors") => guards.reduce((s, g) => s + g[key], 0);
      summary.learning = {
        runs: runs.length,
        applied: count("applied"),
        noChanges: count("no_changes"),
        allRejected: count("all_rejected"),
        malformed: count("malformed"),
        failedRuns: failures.filter((f) => f.stage === "learning").length,
        changesApplied: runs.reduce((s, run) => s + run.applied, 0),
        rejectedByReason,
        guard: { runs: guards.length, calls: sum("calls"), accepted: sum("accepted"), rejected: sum("rejected"), unreadable: sum("unreadable"), errors: sum("errors") },
      };
      const checked = results.filter((r) => r.storedPreference);
      const ok = checked.filter((r) => r.storedPreference!.status === "ok");
      const containsValue = (r: PrefEvalItemResult) =>
        r.storedPreference?.status === "ok" ? (r.storedPreference.value.answer === "yes" ? 1 : 0) : undefined;
      const cross = { storedAndFollowed: 0, storedNotFollowed: 0, notStoredFollowed: 0, notStoredNotFollowed: 0 };
      for (const r of ok) {
        const follows = followsValue(r);
        if (follows === undefined) continue;
        const stored = containsValue(r) === 1;
        if (stored && follows) cross.storedAndFollowed++;
        else if (stored) cross.storedNotFollowed++;
        else if (follows) cross.notStoredFollowed++;
        else cross.notStoredNotFollowed++;
      }
      summary.stored = {
        contains: intervalOf(perItem(ok, containsValue)),
        byFillers: Object.fromEntries(scope.fillers.map((f) => [String(f), intervalOf(perItem(ok.filter((r) => r.fillers === f), containsValue))])),
        byForm: Object.fromEntries(forms.map((form) => [form, intervalOf(perItem(ok.filter((r) => r.form === form), containsValue))])),
        judged: ok.filter((r) => r.storedPreference!.attempts > 0).length,
        empty: ok.filter((r) => r.storedPreference!.attempts === 0).length,
        unreadable: checked.filter((r) => r.storedPreference!.status === "malformed").length,
        failed: checked.filter((r) => r.storedPreference!.status === "failed").length,
        crossTab: cross,
      };
    }

    // Role health: calls and failures from the meters; replies and unreadable ones from the records.
    const checks = results.flatMap((r) => [
      ...(r.judgment ? CHECK_NAMES.flatMap((name) => (r.judgment![name] ? [r.judgment![name]!] : [])) : []),
      ...(r.storedPreference && r.storedPreference.attempts > 0 ? [r.storedPreference] : []),
    ]);
    const generated = results.flatMap((r) => r.session1?.generated ?? []);
    const outcomes: Record<BenchRole, [number, number]> = {
      chatbot: [results.length + generated.length, summary.emptyReplies + generated.filter((g) => !g.assistant).length],
      learner: [summary.learning?.runs ?? 0, summary.learning?.malformed ?? 0],
      user: [0, 0],
      tool: [0, 0],
      judge: [checks.filter((c) => c.status !== "failed").length, checks.filter((c) => c.status === "malformed").length],
    };
    for (const role of BENCH_ROLES) {
      const c = cost[role];
      summary.roles[role] = health(c?.calls ?? 0, c?.failed ?? 0, outcomes[role][0], outcomes[role][1]);
    }
    for (const role of PREFEVAL_ROLES) {
      const h = summary.roles[role];
      if (h.failed) summary.problems.push(`${role}: ${h.failed} of ${h.calls} calls failed`);
      if (h.unreadable) summary.problems.push(`${role}: ${h.unreadable} of ${h.outcomes} replies unreadable`);
    }
    if (summary.unreadable) summary.problems.push(`${summary.unreadable} replies left out (empty, or a check they needed was unreadable)`);
    if (summary.judgeFailed) summary.problems.push(`${summary.judgeFailed} replies without a verdict (a judge call failed; the next run asks again)`);
    if (planned > results.length) summary.problems.push(`${planned - results.length} of ${planned} item runs not recorded`);
    out.push(summary);
  }

  // Differences paired by item at each filler count.
  const none = byItemAndFillers.get("none")?.get("null");
  const inContext = byItemAndFillers.get("in-context");
  for (const summary of out) {
    const mine = byItemAndFillers.get(summary.condition)!;
    if (none && summary.condition !== "none") {
      summary.vsNone = Object.fromEntries([...mine].map(([f, values]) => [f, pairedDifference(values, none)]));
    }
    if (summary.condition === "persona" && inContext) {
      summary.vsInContext = Object.fromEntries([...mine].map(([f, values]) => [f, pairedDifference(values, inContext.get(f) ?? new Map())]));
    }
  }

  const breaches = findBreaches(out, maxFailureRate);
  return {
    suite: "prefeval",
    conditions: out,
    cells,
    scope: { items: scope.items.length, fillers: scope.fillers, conditions: scope.conditions, forms, topics },
    maxFailureRate,
    breaches,
    bootstrap: BOOTSTRAP,
  };
}

/**
 * The cell of a breakdown.
 *
 * @param summary - The summary.
 * @param where - Condition, form, topic and filler count ("all" pooled).
 * @returns The cell, or undefined.
 * @example
 * ```ts no-run
 * cellAt(summary, { condition: "persona", form: "all", topic: "all", fillers: 10 })?.accuracy;
 * ```
 */
export function cellAt(summary: PrefEvalSummary, where: Pick<AccuracyCell, "condition" | "form" | "topic" | "fillers">): AccuracyCell | undefined {
  return summary.cells.find((c) => c.condition === where.condition && c.form === where.form && c.topic === where.topic && c.fillers === where.fillers);
}
