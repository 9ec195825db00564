import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { openSqlitePersistence } from "../../index.js";
import type { BenchRole } from "../cost.js";
import { firstLine } from "../cost.js";
import { formatProblem } from "../data/loadPersonaBench.js";
import type { DataProblem } from "../data/types.js";
import type { BenchModelFactory, RoleModelInfo } from "../models.js";
import { runPool } from "../pool.js";
import { Progress } from "../progress.js";
import { JsonlLog } from "../results.js";
import { DATA_PROBLEMS_FILE, DEFAULT_MAX_FAILURE_RATE, RESULTS_FILE, RUN_FILE, STATE_FILE } from "../runBench.js";
import { playsSessionOne, PREFEVAL_CONDITIONS, type PrefEvalCondition } from "./conditions.js";
import { loadPrefEval, PrefEvalSelectionError, selectItems } from "./data/loadPrefEval.js";
import { FILLER_FILE, type PrefEvalForm, type PrefEvalItem } from "./data/types.js";
import { CHECK_NAMES } from "./judge/checks.js";
import { placeKey, type PrefEvalItemResult, type PrefEvalPlace, type PrefEvalRecord } from "./results.js";
import type { PrefEvalScope } from "./report/summarize.js";
import { writePrefEvalReport, type WrittenPrefEvalReport } from "./report/writeReport.js";
import { GOLDEN_PREFERENCE_FIELD, PrefEvalItemFailure, rejudgePrefEvalItem, runPrefEvalItem, type PrefEvalEnvironment } from "./runItem.js";

/**
 * Default of `--fillers`: PrefEval's short settings.
 * @example
 * await runPrefEval({ ...options, fillers: DEFAULT_FILLERS });
 */
export const DEFAULT_FILLERS = [0, 5, 10];

/**
 * Options of {@link runPrefEval}: data and output folders, conditions, selection, models and progress.
 * @example
 * await runPrefEval({
 *   data: "PrefEval/benchmark_dataset",
 *   out: "bench-out/prefeval",
 *   conditions: ["none", "persona"],
 *   items: 1,
 *   semanticGuard: false,
 *   models: openAICompatibleFactory(resolveBenchModels({}, process.env)),
 *   modelInfo: describeModels(resolveBenchModels({}, process.env)),
 *   progress: process.stderr,
 * });
 */
export interface PrefEvalRunOptions {
  /** PrefEval's `benchmark_dataset` folder. */
  data: string;
  /** Output folder; rerunning with the same folder resumes. */
  out: string;
  conditions: PrefEvalCondition[];
  /** @default all three */
  forms?: PrefEvalForm[];
  /** @default every topic in the data */
  topics?: string[];
  /** The first N items of each form and topic. @default all */
  items?: number;
  /** Filler exchanges between the preference and the question. @default [0, 5, 10] */
  fillers?: number[];
  /** Item runs at the same time. @default 1 */
  concurrency?: number;
  /** Run the semantic guard in learning runs (see resolveSemanticGuard). */
  semanticGuard: boolean;
  models: BenchModelFactory;
  /** Model names, endpoints and temperatures of the roles used (no secrets). */
  modelInfo: Partial<Record<BenchRole, RoleModelInfo>>;
  /** Where progress goes (a terminal gets a bar). */
  progress: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * When aborted, no new item starts; items in flight finish and are recorded.
   * @default none (runs to the end)
   */
  signal?: AbortSignal;
  /** A role's failure or unreadable rate above this (0-1) under any condition is a breach. @default 0.05 */
  maxFailureRate?: number;
}

/**
 * What {@link runPrefEval} did: the output folder, items run and skipped, the unresolved
 * failures and the written report.
 * @example
 * const { outDir, itemsRun, itemsSkipped } = await runPrefEval(options);
 */
export interface PrefEvalRunResult extends WrittenPrefEvalReport {
  outDir: string;
  itemsRun: number;
  itemsSkipped: number;
  /** Item failures and replies without a verdict in this run's scope that no run has resolved. */
  failures: number;
  interrupted: boolean;
  dataProblems: DataProblem[];
}

/**
 * Settings that change results: a resumed run must use the same ones.
 * @example
 * const identity: PrefEvalIdentity | undefined = readPrefEvalRunRecord("bench-out/prefeval")?.identity;
 */
export interface PrefEvalIdentity {
  data: string;
  semanticGuard: boolean;
  goldenField: string;
  models: Partial<Record<BenchRole, RoleModelInfo>>;
}

/**
 * run.json of a PrefEval output folder.
 * @example
 * const record: PrefEvalRunRecord | undefined = readPrefEvalRunRecord("bench-out/prefeval");
 */
export interface PrefEvalRunRecord {
  suite: "prefeval";
  identity: PrefEvalIdentity;
  /** The scope of the latest run (what its report covers; conditions of earlier runs in the folder too). */
  scope: PrefEvalScope;
  /** Items per `<form>/<topic>` of the scope. */
  itemsByGroup: Record<string, number>;
  dataWarnings: number;
  dataErrors: number;
  updatedAt: string;
}

/**
 * The suite an output folder's run.json belongs to.
 *
 * @param outDir - An output folder.
 * @returns "prefeval", "personabench", or undefined when the folder has no run.json.
 * @example
 * ```ts no-run
 * if (suiteOfFolder("bench-out") === "prefeval") await rebuildPrefEvalReport({ out: "bench-out" });
 * ```
 */
export function suiteOfFolder(outDir: string): "prefeval" | "personabench" | undefined {
  const path = join(resolve(outDir), RUN_FILE);
  if (!existsSync(path)) return undefined;
  const record = JSON.parse(readFileSync(path, "utf8")) as { suite?: string };
  return record.suite === "prefeval" ? "prefeval" : "personabench";
}

/**
 * Reads run.json of a PrefEval output folder.
 *
 * @param outDir - The output folder.
 * @returns The run record, or undefined without one.
 * @example
 * ```ts no-run
 * const scope = readPrefEvalRunRecord("prefeval-out")?.scope;
 * ```
 */
export function readPrefEvalRunRecord(outDir: string): PrefEvalRunRecord | undefined {
  const path = join(outDir, RUN_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as PrefEvalRunRecord) : undefined;
}

function checkResumable(outDir: string, previous: PrefEvalRunRecord | undefined, identity: PrefEvalIdentity): void {
  if (!previous) return;
  if (previous.suite !== "prefeval") {
    throw new Error(`${outDir} holds a PersonaBench run (--suite personabench); use another --out for the PrefEval suite`);
  }
  const before = previous.identity;
  const differences: string[] = [];
  if (before.data !== identity.data) differences.push(`data was ${before.data}, now ${identity.data}`);
  if (before.semanticGuard !== identity.semanticGuard) differences.push(`semantic guard was ${before.semanticGuard ? "on" : "off"}, now ${identity.semanticGuard ? "on" : "off"}`);
  if (before.goldenField !== identity.goldenField) differences.push(`golden field was ${before.goldenField}, now ${identity.goldenField}`);
  for (const [role, now] of Object.entries(identity.models)) {
    const was = before.models[role as BenchRole];
    if (!was || !now) continue;
    if (was.model !== now.model || was.baseURL !== now.baseURL) differences.push(`${role} model was ${was.model} at ${was.baseURL}, now ${now.model} at ${now.baseURL}`);
    else if (was.temperature !== now.temperature) {
      differences.push(`${role} temperature was ${was.temperature ?? "the endpoint's default"}, now ${now.temperature ?? "the endpoint's default"}`);
    }
  }
  if (differences.length) {
    throw new Error(`${outDir} holds results made with other settings (${differences.join("; ")}); use the same settings to resume, or another --out`);
  }
}

/**
 * The places (condition × item × filler count) a selection asks for, item by
 * item so a partial run covers every condition.
 *
 * @param items - The selected items.
 * @param conditions - The conditions.
 * @param fillers - The filler counts (conditions that never play session 1 get one place per item).
 * @returns The places, each with its item.
 * @example
 * ```ts no-run
 * placesFor(items, ["none", "persona"], [0, 5]).length; // items.length * (1 + 2)
 * ```
 */
export function placesFor(items: PrefEvalItem[], conditions: PrefEvalCondition[], fillers: number[]): Array<PrefEvalPlace & { item: PrefEvalItem }> {
  return items.flatMap((item) =>
    conditions.flatMap((condition) =>
      (playsSessionOne(condition) ? fillers : [null]).map((f) => ({ condition, itemId: item.id, form: item.form, topic: item.topic, fillers: f, item })),
    ),
  );
}

/**
 * Counts items per `<form>/<topic>`.
 *
 * @param items - Items (or scope entries).
 * @returns The counts by group.
 * @example
 * ```ts no-run
 * itemsByGroup([{ form: "explicit", topic: "travel" }]); // { "explicit/travel": 1 }
 * ```
 */
export function itemsByGroup(items: Array<{ form: string; topic: string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[`${item.form}/${item.topic}`] = (out[`${item.form}/${item.topic}`] ?? 0) + 1;
  return out;
}

const hasFailedCheck = (record: PrefEvalItemResult) =>
  CHECK_NAMES.some((name) => record.judgment?.[name]?.status === "failed") || record.storedPreference?.status === "failed";

/**
 * Runs the PrefEval suite: for every selected item, condition and filler
 * count (conditions that never play session 1 once per item), session 1, the
 * question and the judge's four checks, appending one JSONL record per item
 * run; then asks the judge again where an earlier run's judge call failed,
 * and writes the report. Rerunning with the same output folder skips what is
 * done and retries failures.
 *
 * @param options - Data, selection, output folder, conditions and models.
 * @returns What ran, the summary and the files written.
 * @example
 * ```ts no-run
 * const result = await runPrefEval({ data: "benchmark_dataset", out: "prefeval-out", conditions: ["none", "persona"], fillers: [0, 10],
 *   semanticGuard: true, models: openAICompatibleFactory(settings), modelInfo: describeModels(settings), progress: process.stderr });
 * ```
 */
export async function runPrefEval(options: PrefEvalRunOptions): Promise<PrefEvalRunResult> {
  const runStarted = new Date().toISOString();
  for (const condition of options.conditions) {
    if (!(PREFEVAL_CONDITIONS as readonly string[]).includes(condition)) throw new Error(`unknown condition "${condition}": use ${PREFEVAL_CONDITIONS.join(", ")}`);
  }
  const fillers = [...new Set(options.fillers ?? DEFAULT_FILLERS)].sort((a, b) => a - b);
  if (fillers.some((f) => !Number.isInteger(f) || f < 0)) throw new Error(`filler counts must be whole numbers ≥ 0, got ${fillers.join(", ")}`);
  const loaded = loadPrefEval(options.data, options.forms ? { forms: options.forms } : {});
  const errors = loaded.problems.filter((p) => p.severity === "error");
  const items = selectItems(loaded, { forms: options.forms, topics: options.topics, items: options.items });
  if (items.length === 0) {
    throw new Error(`no usable PrefEval items in ${loaded.dir}${errors.length ? `: ${errors.slice(0, 3).map(formatProblem).join("; ")}` : ""}`);
  }
  const needFillers = options.conditions.some(playsSessionOne) ? Math.max(...fillers) : 0;
  if (needFillers > loaded.fillers.length) {
    const fillerProblems = loaded.problems.filter((p) => p.file === FILLER_FILE && p.severity === "error").map(formatProblem);
    throw new PrefEvalSelectionError(
      `--fillers ${needFillers} needs ${needFillers} filler exchanges, the data has ${loaded.fillers.length}${fillerProblems.length ? ` (${fillerProblems.slice(0, 3).join("; ")})` : ""}; use filler counts up to ${loaded.fillers.length}`,
    );
  }
  const outDir = resolve(options.out);
  const previous = readPrefEvalRunRecord(outDir);
  const identity: PrefEvalIdentity = { data: loaded.dir, semanticGuard: options.semanticGuard, goldenField: GOLDEN_PREFERENCE_FIELD, models: options.modelInfo };
  checkResumable(outDir, previous, identity);

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, DATA_PROBLEMS_FILE), loaded.problems.map(formatProblem).join("\n") + (loaded.problems.length ? "\n" : ""));
  const conditions = [...new Set([...(previous?.scope.conditions ?? []), ...options.conditions])];
  const ordered = PREFEVAL_CONDITIONS.filter((c) => conditions.includes(c));
  const scope: PrefEvalScope = { items: items.map((i) => ({ id: i.id, form: i.form, topic: i.topic })), fillers, conditions: ordered };
  const warnings = loaded.problems.length - errors.length;
  const runRecord: PrefEvalRunRecord = {
    suite: "prefeval",
    identity,
    scope,
    itemsByGroup: itemsByGroup(items),
    dataWarnings: warnings,
    dataErrors: errors.length,
    updatedAt: new Date().toISOString(),
  };
  writeFileSync(join(outDir, RUN_FILE), `${JSON.stringify(runRecord, null, 2)}\n`);

  const log = new JsonlLog<PrefEvalRecord>(join(outDir, RESULTS_FILE));
  const places = placesFor(items, options.conditions, fillers);
  const progress = new Progress(places.length, options.progress, "item runs");
  for (const problem of errors) progress.note(`persona bench: left out: ${formatProblem(problem)}`);
  if (log.skippedLines.length) progress.note(`persona bench: ignored unreadable lines ${log.skippedLines.join(", ")} of ${RESULTS_FILE} (interrupted write)`);

  const persistence = openSqlitePersistence(join(outDir, STATE_FILE));
  const env: PrefEvalEnvironment = { store: persistence.store, models: options.models, semanticGuard: options.semanticGuard, fillers: loaded.fillers };
  const done = new Set(log.records.filter((r) => r.type === "prefeval-item").map(placeKey));
  const stopped = () => Boolean(options.signal?.aborted);
  const label = (p: PrefEvalPlace) => `${p.condition} ${p.itemId}${p.fillers !== null ? ` F=${p.fillers}` : ""}`;
  let itemsRun = 0;
  let itemsSkipped = 0;
  const todo = places.filter((p) => {
    if (!done.has(placeKey(p))) return true;
    itemsSkipped++;
    return false;
  });
  progress.skip(itemsSkipped);

  try {
    await runPool(
      todo,
      options.concurrency ?? 1,
      async ({ item, ...place }) => {
        try {
          const record = await runPrefEvalItem(env, place, item);
          log.append(record);
          itemsRun++;
          progress.tick(`${label(place)}: ${record.reply ? "answered" : "empty reply"}`);
        } catch (error) {
          const failure = error instanceof PrefEvalItemFailure ? error : undefined;
          const message = firstLine(error);
          log.append({
            type: "prefeval-error",
            ...place,
            stage: failure?.stage ?? "question",
            ...(failure?.role ? { role: failure.role } : {}),
            ...(failure?.userId ? { userId: failure.userId } : {}),
            error: message,
            ...(failure ? { cost: failure.cost } : {}),
            at: new Date().toISOString(),
          });
          progress.tick(`${label(place)}: ${failure?.role ? `${failure.role}: ` : ""}${message}`, false);
        }
      },
      stopped,
    );
    progress.end();
    if (!stopped()) await retryFailedJudgments(log, options, items, scope, runStarted, stopped);
  } finally {
    persistence.close();
  }

  const report = await writePrefEvalReport(outDir, log.records, {
    scope,
    maxFailureRate: options.maxFailureRate ?? DEFAULT_MAX_FAILURE_RATE,
    context: { data: loaded.dir, itemsByGroup: runRecord.itemsByGroup, models: options.modelInfo, semanticGuard: options.semanticGuard, goldenField: GOLDEN_PREFERENCE_FIELD, dataWarnings: warnings, dataErrors: errors.length },
  });
  const ran = new Set<string>(options.conditions);
  const failures = report.summary.conditions
    .filter((c) => ran.has(c.condition))
    .reduce((sum, c) => sum + c.failures.length + c.judgeFailed + (c.stored?.failed ?? 0), 0);
  return { ...report, outDir, itemsRun, itemsSkipped, failures, interrupted: stopped(), dataProblems: loaded.problems };
}

/** Asks the judge again where a judge call of an earlier run failed (this run's failures wait for the next run). */
async function retryFailedJudgments(
  log: JsonlLog<PrefEvalRecord>,
  options: PrefEvalRunOptions,
  items: PrefEvalItem[],
  scope: PrefEvalScope,
  runStarted: string,
  stopped: () => boolean,
): Promise<void> {
  const byId = new Map(items.map((item) => [item.id, item]));
  const latest = new Map<string, PrefEvalRecord>();
  for (const r of log.records) latest.set(placeKey(r), r);
  const fillers = new Set<number | null>([...scope.fillers, null]);
  const retry = [...latest.values()].filter(
    (r): r is PrefEvalItemResult => r.type === "prefeval-item" && r.at < runStarted && byId.has(r.itemId) && fillers.has(r.fillers) && hasFailedCheck(r),
  );
  if (!retry.length) return;
  const progress = new Progress(retry.length, options.progress, "judgments retried");
  await runPool(
    retry,
    options.concurrency ?? 1,
    async (record) => {
      const updated = await rejudgePrefEvalItem(options.models, record, byId.get(record.itemId)!);
      log.append(updated);
      progress.tick(`${record.condition} ${record.itemId}: ${hasFailedCheck(updated) ? "failed again" : "judged"}`, !hasFailedCheck(updated));
    },
    stopped,
  );
  progress.end();
}
