import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { MemorySaver } from "@langchain/langgraph";
import { openSqlitePersistence } from "../index.js";
import { describeCondition, type BenchCondition } from "./conditions.js";
import { addCosts as addRoleCost, CostMeter, firstLine, type BenchRole } from "./cost.js";
import { formatProblem, loadPersonaBench } from "./data/loadPersonaBench.js";
import type { BenchPersona, DataProblem } from "./data/types.js";
import {
  benchUserId,
  finishEpisode,
  goldenPersonaText,
  judgeScene,
  judgeSimilarity,
  runScene,
  SceneFailure,
  type EpisodeEnvironment,
  type EpisodeSettings,
} from "./episode.js";
import { judgePairwise } from "./judge/judges.js";
import type { BenchModelFactory, RoleModelInfo } from "./models.js";
import { runPool } from "./pool.js";
import { Progress } from "./progress.js";
import { PROTOCOLS } from "./protocol.js";
import { episodeKey, repeatOf, ResultsLog, sceneKey, type EpisodeResult, type PairwiseResult, type SceneResult } from "./results.js";
import type { ReportScope } from "./report/summarize.js";
import { writeReport, type WrittenReport } from "./report/writeReport.js";
import { discardUnfinishedSessions } from "./resume.js";

export const RESULTS_FILE = "results.jsonl";
export const RUN_FILE = "run.json";
export const STATE_FILE = "state.sqlite";
export const DATA_PROBLEMS_FILE = "data-problems.txt";

/**
 * Default of `maxFailureRate`: 5 %.
 * @example
 * summarize(records, conditions, 5, { maxFailureRate: DEFAULT_MAX_FAILURE_RATE });
 */
export const DEFAULT_MAX_FAILURE_RATE = 0.05;

/**
 * Options of {@link runBench}: data and output folders, conditions, selection, settings, models and progress.
 * @example
 * await runBench({
 *   data: "fixtures/personabench-mini",
 *   out: "bench-out/smoke",
 *   conditions: parseConditions("none,learning:1"),
 *   settings: DEFAULT_EPISODE_SETTINGS,
 *   models: openAICompatibleFactory(resolveBenchModels({}, process.env)),
 *   modelInfo: describeModels(resolveBenchModels({}, process.env)),
 *   progress: process.stderr,
 * });
 */
export interface BenchRunOptions {
  /** PersonaBench data folder. */
  data: string;
  /** Output folder; rerunning with the same folder resumes. */
  out: string;
  conditions: BenchCondition[];
  /** Use the first N personas (by file name). @default all */
  personas?: number;
  /** Use the first M scenes of each persona. @default all */
  scenes?: number;
  /** Independent runs of each episode (each scene is run this many times). @default 1 */
  repeats?: number;
  /** Episodes (condition × persona × repeat) run at the same time. @default 1 */
  concurrency?: number;
  settings: EpisodeSettings;
  models: BenchModelFactory;
  /** Model names, endpoints and temperatures, recorded with the results (no secrets). */
  modelInfo: Record<BenchRole, RoleModelInfo>;
  /** Where progress goes (a terminal gets a bar). */
  progress: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * When aborted, no new scene starts; scenes in flight finish and are recorded.
   * @default none (runs to the end)
   */
  signal?: AbortSignal;
  /** A role's failure or unreadable rate above this (0-1) under any condition is a breach. @default 0.05 */
  maxFailureRate?: number;
}

/**
 * What {@link runBench} did: the output folder, scenes run and skipped (already recorded), the
 * unresolved failures and the written report.
 * @example
 * const { outDir, scenesRun, scenesSkipped } = await runBench(options);
 */
export interface BenchRunResult extends WrittenReport {
  outDir: string;
  scenesRun: number;
  scenesSkipped: number;
  /** Episode failures and failed pairwise judgments of this run's scope that no run has resolved. */
  failures: number;
  interrupted: boolean;
  dataProblems: DataProblem[];
}

/**
 * Settings that change results: a resumed run must use the same ones.
 * @example
 * const { identity }: { identity: RunIdentity } = JSON.parse(readFileSync("bench-out/run1/run.json", "utf8"));
 */
export interface RunIdentity {
  data: string;
  protocol?: string;
  turnCap: number;
  ragTop: number;
  historyBudgetTokens: number;
  sceneToChatbot: boolean;
  models: Record<string, RoleModelInfo>;
}

/**
 * What run.json holds.
 * @example
 * const record: RunRecord = JSON.parse(readFileSync("bench-out/run1/run.json", "utf8"));
 */
export interface RunRecord {
  identity: RunIdentity;
  conditions: string[];
  /** The scope of the latest run (what its report covers). */
  scope?: ReportScope;
  judge?: boolean;
  conditionNotes?: Record<string, string>;
  updatedAt: string;
}

/** Reads run.json of an output folder, or undefined. */
export function readRunRecord(outDir: string): RunRecord | undefined {
  const path = join(outDir, RUN_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as RunRecord) : undefined;
}

function checkResumable(outDir: string, previous: RunRecord | undefined, identity: RunIdentity): void {
  if ((previous as { suite?: string } | undefined)?.suite === "prefeval") {
    throw new Error(`${outDir} holds a PrefEval run (--suite prefeval); use another --out for the PersonaBench suite`);
  }
  if (!previous?.identity) return;
  const differences: string[] = [];
  const before = { protocol: "default", ...previous.identity };
  for (const key of ["data", "protocol", "turnCap", "ragTop", "historyBudgetTokens", "sceneToChatbot"] as const) {
    if ((before[key] ?? false) !== identity[key]) differences.push(`${key} was ${before[key]}, now ${identity[key]}`);
  }
  for (const [role, now] of Object.entries(identity.models)) {
    const was = before.models[role];
    if (!was) continue;
    if (was.model !== now.model || was.baseURL !== now.baseURL) {
      differences.push(`${role} model was ${was.model} at ${was.baseURL}, now ${now.model} at ${now.baseURL}`);
    } else if ("temperature" in was && was.temperature !== now.temperature) {
      differences.push(`${role} temperature was ${was.temperature ?? "the endpoint's default"}, now ${now.temperature ?? "the endpoint's default"}`);
    }
  }
  if (differences.length) {
    throw new Error(
      `${outDir} holds results made with other settings (${differences.join("; ")}); use the same settings to resume, or another --out`,
    );
  }
}

/** Checks options that cannot work together, with what to change. */
export function checkRunOptions(options: Pick<BenchRunOptions, "settings" | "repeats" | "maxFailureRate">): void {
  const protocol = PROTOCOLS[options.settings.protocol];
  if (!protocol) throw new Error(`unknown protocol "${options.settings.protocol}": use default or release`);
  const window = protocol.window;
  if (window && options.settings.turnCap * 2 > window.messages) {
    throw new Error(
      `the ${protocol.name} protocol's learner reads at most ${window.messages} messages of a session, and ${options.settings.turnCap} replies per scene make up to ${options.settings.turnCap * 2}: use --turns ${Math.floor(window.messages / 2)} or fewer, or --protocol default`,
    );
  }
  if (options.repeats !== undefined && (!Number.isInteger(options.repeats) || options.repeats < 1)) {
    throw new Error(`repeats must be a positive integer, got ${options.repeats}`);
  }
  const rate = options.maxFailureRate;
  if (rate !== undefined && (!Number.isFinite(rate) || rate < 0 || rate > 1)) {
    throw new Error(`maxFailureRate must be between 0 and 1 (e.g. 0.05 for 5 %), got ${rate}`);
  }
}

/** Pairwise judgments still to make: learning conditions vs golden of the same repeat, both orders, per scene in scope. */
function pendingPairs(log: ResultsLog, conditions: BenchCondition[], inScope: (s: SceneResult) => boolean) {
  const latest = new Map<string, SceneResult>();
  for (const scene of log.scenes()) latest.set(sceneKey(scene.condition, scene.personaId, scene.sceneIndex, repeatOf(scene)), scene);
  const done = new Set(log.pairwise().map((p) => `${sceneKey(p.condition, p.personaId, p.sceneIndex, repeatOf(p))}|${p.order}`));
  const pairs: Array<{ candidate: SceneResult; golden: SceneResult; order: PairwiseResult["order"] }> = [];
  for (const condition of conditions.filter((c) => c.kind === "learning")) {
    for (const candidate of latest.values()) {
      if (candidate.condition !== condition.id || !inScope(candidate)) continue;
      const golden = latest.get(sceneKey("golden", candidate.personaId, candidate.sceneIndex, repeatOf(candidate)));
      if (!golden) continue;
      for (const order of ["condition-first", "golden-first"] as const) {
        if (!done.has(`${sceneKey(candidate.condition, candidate.personaId, candidate.sceneIndex, repeatOf(candidate))}|${order}`)) {
          pairs.push({ candidate, golden, order });
        }
      }
    }
  }
  return pairs;
}

/**
 * Runs PersonaBench episodes (each persona's scenes in order, one session
 * each, `repeats` times) for every condition, appending one JSONL record per
 * finished scene, then retries failed judgments, makes the pairwise
 * judgments, and writes the report. Rerunning with the same output folder
 * skips what is done.
 *
 * @param options - Data, output folder, conditions, settings and models.
 * @returns What ran, the summary (figures, failures, breaches) and the files written.
 * @example
 * ```ts no-run
 * const result = await runBench({ data: "fixtures/personabench-mini", out: "bench-out", conditions: parseConditions("none,golden,learning:3"),
 *   settings: DEFAULT_EPISODE_SETTINGS, models: openAICompatibleFactory(settings), modelInfo: describeModels(settings), progress: process.stderr });
 * ```
 */
export async function runBench(options: BenchRunOptions): Promise<BenchRunResult> {
  checkRunOptions(options);
  const runStarted = new Date().toISOString();
  const protocol = PROTOCOLS[options.settings.protocol];
  const repeats = options.repeats ?? 1;
  const loaded = loadPersonaBench(options.data);
  const outDir = resolve(options.out);
  const previous = readRunRecord(outDir);
  const errors = loaded.problems.filter((p) => p.severity === "error");
  if (loaded.personas.length === 0) {
    throw new Error(
      `no usable persona files in ${loaded.dir}${errors.length ? `: ${errors.slice(0, 3).map(formatProblem).join("; ")}` : ""}`,
    );
  }
  const personas: BenchPersona[] = loaded.personas
    .slice(0, options.personas ?? loaded.personas.length)
    .map((p) => ({ ...p, scenes: p.scenes.slice(0, options.scenes ?? p.scenes.length) }));
  const scope: ReportScope = { personas: personas.map((p) => ({ id: p.id, scenes: p.scenes.length })), repeats };

  const identity: RunIdentity = {
    data: loaded.dir,
    protocol: protocol.name,
    turnCap: options.settings.turnCap,
    ragTop: options.settings.ragTop,
    historyBudgetTokens: options.settings.historyBudgetTokens,
    sceneToChatbot: options.settings.sceneToChatbot,
    models: options.modelInfo,
  };
  checkResumable(outDir, previous, identity);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, DATA_PROBLEMS_FILE), loaded.problems.map(formatProblem).join("\n") + (loaded.problems.length ? "\n" : ""));
  const log = new ResultsLog(join(outDir, RESULTS_FILE));
  const conditionIds = [...new Set([...(previous?.conditions ?? []), ...options.conditions.map((c) => c.id)])];
  const conditionNotes = Object.fromEntries(
    conditionIds.map((id) => {
      const condition = options.conditions.find((c) => c.id === id);
      return [id, condition ? describeCondition(condition, protocol) : (previous?.conditionNotes?.[id] ?? "from an earlier run in this folder")];
    }),
  );
  const runRecord: RunRecord = { identity, conditions: conditionIds, scope, judge: options.settings.judge, conditionNotes, updatedAt: new Date().toISOString() };
  writeFileSync(join(outDir, RUN_FILE), `${JSON.stringify(runRecord, null, 2)}\n`);

  const progress = new Progress(
    options.conditions.length * personas.reduce((sum, p) => sum + p.scenes.length, 0) * repeats,
    options.progress,
    "scenes",
  );
  for (const problem of errors) progress.note(`persona bench: skipped file: ${formatProblem(problem)}`);
  if (log.skippedLines.length) progress.note(`persona bench: ignored unreadable lines ${log.skippedLines.join(", ")} of ${RESULTS_FILE} (interrupted write)`);

  const persistence = openSqlitePersistence(join(outDir, STATE_FILE));
  const env: EpisodeEnvironment = {
    store: persistence.store,
    checkpointer: new MemorySaver(),
    models: options.models,
    settings: options.settings,
  };
  const done = log.doneScenes();
  const finished = new Set(log.episodes().map((e) => `${episodeKey(e.condition, e.personaId, repeatOf(e))}|${e.scenes}`));
  const stopped = () => Boolean(options.signal?.aborted);
  let scenesRun = 0;
  let scenesSkipped = 0;
  const jobs = options.conditions.flatMap((condition) =>
    personas.flatMap((persona) => Array.from({ length: repeats }, (_, i) => ({ condition, persona, repeat: i + 1 }))),
  );
  const label = (condition: BenchCondition, persona: BenchPersona, repeat: number, index: number) =>
    `${condition.id} ${persona.id}${repeat > 1 ? ` r${repeat}` : ""} #${index}`;
  const inScope = (record: { personaId: string; sceneIndex: number; repeat?: number }) => {
    const persona = personas.find((p) => p.id === record.personaId);
    return Boolean(persona) && record.sceneIndex <= persona!.scenes.length && repeatOf(record) <= repeats;
  };

  try {
    await runPool(
      jobs,
      options.concurrency ?? 1,
      async ({ condition, persona, repeat }) => {
        let current = 0;
        let resumed = false;
        try {
          for (const scene of persona.scenes) {
            if (done.has(sceneKey(condition.id, persona.id, scene.index, repeat))) {
              scenesSkipped++;
              progress.skip(1);
              continue;
            }
            if (stopped()) return;
            current = scene.index;
            if (!resumed) {
              // Sessions of scenes that never finished (a kill) must not count toward k.
              const recorded = new Map(
                log
                  .scenes()
                  .filter((s) => s.condition === condition.id && s.personaId === persona.id && repeatOf(s) === repeat)
                  .map((s) => [s.sceneIndex, s.threadId ?? ""] as const),
              );
              const { discarded } = await discardUnfinishedSessions(env.store, benchUserId(condition, persona, repeat), recorded);
              if (discarded.length) {
                progress.note(
                  `persona bench: ${label(condition, persona, repeat, scene.index)}: ${discarded.length} session(s) of unfinished scenes dropped; they do not count toward k`,
                );
              }
              resumed = true;
            }
            const result = await runScene(env, condition, persona, scene, { repeat, episodeLength: persona.scenes.length });
            log.append(result);
            done.add(sceneKey(condition.id, persona.id, scene.index, repeat));
            scenesRun++;
            progress.tick(`${label(condition, persona, repeat, scene.index)}: ${result.turns} turns, ${result.outcome}`);
          }
          current = 0;
          if (!finished.has(`${episodeKey(condition.id, persona.id, repeat)}|${persona.scenes.length}`)) {
            const lastIndex = persona.scenes.at(-1)!.index;
            const last = [...log.scenes()]
              .reverse()
              .find((s) => s.condition === condition.id && s.personaId === persona.id && s.sceneIndex === lastIndex && repeatOf(s) === repeat);
            if (last) {
              log.append(await finishEpisode(env, condition, persona, last, persona.scenes.length));
              finished.add(`${episodeKey(condition.id, persona.id, repeat)}|${persona.scenes.length}`);
            }
          }
        } catch (error) {
          const failure = error instanceof SceneFailure ? error : undefined;
          const message = firstLine(error);
          log.append({
            type: "episode-error",
            condition: condition.id,
            personaId: persona.id,
            ...(repeat > 1 ? { repeat } : {}),
            sceneIndex: current,
            ...(failure?.role ? { role: failure.role } : {}),
            error: message,
            ...(failure ? { cost: failure.cost } : {}),
            at: new Date().toISOString(),
          });
          progress.tick(`${label(condition, persona, repeat, current)}: ${failure?.role ? `${failure.role}: ` : ""}${message}`, false);
        }
      },
      stopped,
    );
    progress.end();

    if (options.settings.judge && !stopped()) {
      await retryFailedJudgments(log, options, personas, (record) => inScope(record) && record.at < runStarted, stopped);
      await judgePairs(log, options, personas, inScope, stopped);
    }
  } finally {
    persistence.close();
  }

  const report = await writeReport(outDir, log.records, {
    conditions: conditionIds,
    turnCap: options.settings.turnCap,
    scope,
    maxFailureRate: options.maxFailureRate ?? DEFAULT_MAX_FAILURE_RATE,
    context: {
      title: "PersonaBench evaluation",
      data: loaded.dir,
      personas: personas.length,
      scenesPerPersona: [...new Set(personas.map((p) => p.scenes.length))].join(", "),
      repeats,
      protocol: protocol.name,
      models: options.modelInfo,
      judge: options.settings.judge,
      sceneToChatbot: options.settings.sceneToChatbot,
      conditionNotes,
      dataWarnings: loaded.problems.length - errors.length,
      dataErrors: errors.length,
    },
  });
  const ran = new Set<string>(options.conditions.map((c) => c.id));
  const failures = report.summary.conditions
    .filter((c) => ran.has(c.condition))
    .reduce((sum, c) => sum + c.failures.length + (c.winRate?.failed ?? 0), 0);
  return { ...report, outDir, scenesRun, scenesSkipped, failures, interrupted: stopped(), dataProblems: loaded.problems };
}

/** Judges again the first replies and episodes whose judge call failed in an earlier run. */
async function retryFailedJudgments(
  log: ResultsLog,
  options: BenchRunOptions,
  personas: BenchPersona[],
  retryable: (record: { personaId: string; sceneIndex: number; repeat?: number; at: string }) => boolean,
  stopped: () => boolean,
): Promise<void> {
  const latestScenes = new Map<string, SceneResult>();
  for (const s of log.scenes()) latestScenes.set(sceneKey(s.condition, s.personaId, s.sceneIndex, repeatOf(s)), s);
  const latestEpisodes = new Map<string, EpisodeResult>();
  for (const e of log.episodes()) latestEpisodes.set(`${episodeKey(e.condition, e.personaId, repeatOf(e))}|${e.scenes}`, e);
  // Only judgments that failed in an earlier run: this run's failures are retried by the next one.
  const scenes = [...latestScenes.values()].filter((s) => s.judge?.status === "failed" && retryable(s));
  const episodes = [...latestEpisodes.values()].filter(
    (e) => e.similarity?.status === "failed" && retryable({ ...e, sceneIndex: 1 }) && personas.some((p) => p.id === e.personaId && p.scenes.length === e.scenes),
  );
  if (scenes.length + episodes.length === 0) return;
  const progress = new Progress(scenes.length + episodes.length, options.progress, "judgments retried");
  await runPool(
    [...scenes.map((scene) => ({ scene })), ...episodes.map((episode) => ({ episode }))],
    options.concurrency ?? 1,
    async (item) => {
      const meter = new CostMeter();
      const judge = options.models("judge", [meter.handler("judge")]);
      if ("scene" in item) {
        const s = item.scene;
        const persona = personas.find((p) => p.id === s.personaId)!;
        const scene = persona.scenes.find((x) => x.index === s.sceneIndex)!;
        const verdict = await judgeScene(judge, persona, scene, s.firstReply);
        // The scene's calls so far plus the retry: the latest record carries the whole cost.
        log.append({ ...s, judge: verdict, cost: addRoleCost(s.cost, meter.take()), at: new Date().toISOString() });
        progress.tick(`${s.condition} ${s.personaId} #${s.sceneIndex}: ${verdict.status}`, verdict.status !== "failed");
      } else {
        const e = item.episode;
        const persona = personas.find((p) => p.id === e.personaId)!;
        const verdict = await judgeSimilarity(judge, persona, e.finalPersona);
        log.append({ ...e, similarity: verdict, cost: addRoleCost(e.cost, meter.take()), at: new Date().toISOString() });
        progress.tick(`${e.condition} ${e.personaId} similarity: ${verdict.status}`, verdict.status !== "failed");
      }
    },
    stopped,
  );
  progress.end();
}


/** The pairwise judgments of learning vs golden first replies still missing in scope. */
async function judgePairs(
  log: ResultsLog,
  options: BenchRunOptions,
  personas: BenchPersona[],
  inScope: (record: { personaId: string; sceneIndex: number; repeat?: number }) => boolean,
  stopped: () => boolean,
): Promise<void> {
  const pairs = pendingPairs(log, options.conditions, inScope);
  if (!pairs.length) return;
  const pairProgress = new Progress(pairs.length, options.progress, "pairwise judgments");
  await runPool(
    pairs,
    options.concurrency ?? 1,
    async ({ candidate, golden, order }) => {
      const meter = new CostMeter();
      const persona = personas.find((p) => p.id === candidate.personaId);
      const scene = persona?.scenes.find((s) => s.index === candidate.sceneIndex);
      if (!persona || !scene) return;
      const [a, b] = order === "condition-first" ? [candidate.firstReply, golden.firstReply] : [golden.firstReply, candidate.firstReply];
      const where = {
        condition: candidate.condition,
        personaId: candidate.personaId,
        sceneIndex: candidate.sceneIndex,
        ...(repeatOf(candidate) > 1 ? { repeat: repeatOf(candidate) } : {}),
        order,
      };
      try {
        const verdict = await judgePairwise(
          options.models("judge", [meter.handler("judge")]),
          { persona: goldenPersonaText(persona), sceneDesc: scene.description, expectedResponse: scene.expectedResponse, query: scene.neutralizedQuery },
          a,
          b,
        );
        let conditionScore: number | undefined;
        if (verdict.status === "ok") {
          const winner = verdict.value.winner;
          const conditionLetter = order === "condition-first" ? "A" : "B";
          conditionScore = winner === "TIE" ? 0.5 : winner === conditionLetter ? 1 : 0;
        }
        log.append({
          type: "pairwise",
          ...where,
          verdict,
          ...(conditionScore !== undefined ? { conditionScore } : {}),
          cost: meter.take(),
          at: new Date().toISOString(),
        });
        pairProgress.tick(`${candidate.condition} ${candidate.personaId} #${candidate.sceneIndex} ${order}`);
      } catch (error) {
        const message = firstLine(error);
        log.append({ type: "pairwise-error", ...where, error: message, cost: meter.take(), at: new Date().toISOString() });
        pairProgress.tick(`${candidate.condition} ${candidate.personaId} #${candidate.sceneIndex}: ${message}`, false);
      }
    },
    stopped,
  );
  pairProgress.end();
}
