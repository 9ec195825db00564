import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { MemorySaver } from "@langchain/langgraph";
import { openSqlitePersistence } from "../store/sqlitePersistence.js";
import { describeCondition, type BenchCondition } from "./conditions.js";
import type { BenchRole } from "./cost.js";
import { CostMeter } from "./cost.js";
import { formatProblem, loadPersonaBench } from "./data/loadPersonaBench.js";
import type { BenchPersona, DataProblem } from "./data/types.js";
import { finishEpisode, goldenPersonaText, runScene, type EpisodeEnvironment, type EpisodeSettings } from "./episode.js";
import { judgePairwise } from "./judge/judges.js";
import type { BenchModelFactory } from "./models.js";
import { runPool } from "./pool.js";
import { Progress } from "./progress.js";
import { episodeKey, ResultsLog, sceneKey, type PairwiseResult, type SceneResult } from "./results.js";
import { writeReport, type WrittenReport } from "./report/writeReport.js";

export const RESULTS_FILE = "results.jsonl";
export const RUN_FILE = "run.json";
export const STATE_FILE = "state.sqlite";
export const DATA_PROBLEMS_FILE = "data-problems.txt";

export interface BenchRunOptions {
  /** PersonaBench data folder. */
  data: string;
  /** Output folder; rerunning with the same folder resumes. */
  out: string;
  conditions: BenchCondition[];
  /** Use the first N personas (by file name). Default: all. */
  personas?: number;
  /** Use the first M scenes of each persona. Default: all. */
  scenes?: number;
  /** Episodes (condition x persona) run at the same time. Default 1. */
  concurrency?: number;
  settings: EpisodeSettings;
  models: BenchModelFactory;
  /** Model names and endpoints, recorded with the results (no secrets). */
  modelInfo: Record<BenchRole, { model: string; baseURL: string }>;
  /** Where progress goes (a terminal gets a bar). */
  progress: NodeJS.WritableStream & { isTTY?: boolean };
  /** When aborted, no new scene starts; scenes in flight finish and are recorded. */
  signal?: AbortSignal;
}

export interface BenchRunResult extends WrittenReport {
  outDir: string;
  scenesRun: number;
  scenesSkipped: number;
  failures: number;
  interrupted: boolean;
  dataProblems: DataProblem[];
}

/** Settings that change results: a resumed run must use the same ones. */
interface RunIdentity {
  data: string;
  turnCap: number;
  ragTop: number;
  historyBudgetTokens: number;
  sceneToChatbot: boolean;
  models: Record<string, { model: string; baseURL: string }>;
}

function checkResumable(outDir: string, identity: RunIdentity): void {
  const path = join(outDir, RUN_FILE);
  if (!existsSync(path)) return;
  const previous = JSON.parse(readFileSync(path, "utf8")) as { identity?: RunIdentity };
  if (!previous.identity) return;
  const differences: string[] = [];
  for (const key of ["data", "turnCap", "ragTop", "historyBudgetTokens", "sceneToChatbot"] as const) {
    if ((previous.identity[key] ?? false) !== identity[key]) differences.push(`${key} was ${previous.identity[key]}, now ${identity[key]}`);
  }
  for (const [role, now] of Object.entries(identity.models)) {
    const before = previous.identity.models[role];
    if (before && (before.model !== now.model || before.baseURL !== now.baseURL)) {
      differences.push(`${role} model was ${before.model} at ${before.baseURL}, now ${now.model} at ${now.baseURL}`);
    }
  }
  if (differences.length) {
    throw new Error(
      `${outDir} holds results made with other settings (${differences.join("; ")}); use the same settings to resume, or another --out`,
    );
  }
}

/** Pairwise judgments still to make: learning conditions vs golden, both orders, per scene. */
function pendingPairs(log: ResultsLog, conditions: BenchCondition[]) {
  const latest = new Map<string, SceneResult>();
  for (const scene of log.scenes()) latest.set(sceneKey(scene.condition, scene.personaId, scene.sceneIndex), scene);
  const done = new Set(log.pairwise().map((p) => `${sceneKey(p.condition, p.personaId, p.sceneIndex)}|${p.order}`));
  const pairs: Array<{ candidate: SceneResult; golden: SceneResult; order: PairwiseResult["order"] }> = [];
  for (const condition of conditions.filter((c) => c.kind === "learning")) {
    for (const candidate of latest.values()) {
      if (candidate.condition !== condition.id) continue;
      const golden = latest.get(sceneKey("golden", candidate.personaId, candidate.sceneIndex));
      if (!golden) continue;
      for (const order of ["condition-first", "golden-first"] as const) {
        if (!done.has(`${sceneKey(candidate.condition, candidate.personaId, candidate.sceneIndex)}|${order}`)) {
          pairs.push({ candidate, golden, order });
        }
      }
    }
  }
  return pairs;
}

/**
 * Runs PersonaBench episodes (each persona's scenes in order, one session
 * each) for every condition, appending one JSONL record per finished scene,
 * then the pairwise judgments, then writes the report. Rerunning with the same
 * output folder skips what is done.
 */
export async function runBench(options: BenchRunOptions): Promise<BenchRunResult> {
  const loaded = loadPersonaBench(options.data);
  const outDir = resolve(options.out);
  mkdirSync(outDir, { recursive: true });
  const errors = loaded.problems.filter((p) => p.severity === "error");
  writeFileSync(join(outDir, DATA_PROBLEMS_FILE), loaded.problems.map(formatProblem).join("\n") + (loaded.problems.length ? "\n" : ""));
  if (loaded.personas.length === 0) {
    throw new Error(
      `no usable persona files in ${loaded.dir}${errors.length ? `: ${errors.slice(0, 3).map(formatProblem).join("; ")}` : ""}`,
    );
  }
  const personas: BenchPersona[] = loaded.personas
    .slice(0, options.personas ?? loaded.personas.length)
    .map((p) => ({ ...p, scenes: p.scenes.slice(0, options.scenes ?? p.scenes.length) }));

  const identity: RunIdentity = {
    data: loaded.dir,
    turnCap: options.settings.turnCap,
    ragTop: options.settings.ragTop,
    historyBudgetTokens: options.settings.historyBudgetTokens,
    sceneToChatbot: options.settings.sceneToChatbot,
    models: options.modelInfo,
  };
  checkResumable(outDir, identity);
  const log = new ResultsLog(join(outDir, RESULTS_FILE));
  const previousConditions: string[] = existsSync(join(outDir, RUN_FILE))
    ? ((JSON.parse(readFileSync(join(outDir, RUN_FILE), "utf8")) as { conditions?: string[] }).conditions ?? [])
    : [];
  const conditionIds = [...new Set([...previousConditions, ...options.conditions.map((c) => c.id)])];
  writeFileSync(join(outDir, RUN_FILE), `${JSON.stringify({ identity, conditions: conditionIds, updatedAt: new Date().toISOString() }, null, 2)}\n`);

  const progress = new Progress(
    options.conditions.length * personas.reduce((sum, p) => sum + p.scenes.length, 0),
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
  const finished = new Set(log.episodes().map((e) => `${episodeKey(e.condition, e.personaId)}|${e.scenes}`));
  const stopped = () => Boolean(options.signal?.aborted);
  let scenesRun = 0;
  let scenesSkipped = 0;
  let failures = 0;
  const jobs = options.conditions.flatMap((condition) => personas.map((persona) => ({ condition, persona })));

  try {
    await runPool(
      jobs,
      options.concurrency ?? 1,
      async ({ condition, persona }) => {
        let current = 0;
        try {
          for (const scene of persona.scenes) {
            if (done.has(sceneKey(condition.id, persona.id, scene.index))) {
              scenesSkipped++;
              progress.skip(1);
              continue;
            }
            if (stopped()) return;
            current = scene.index;
            const result = await runScene(env, condition, persona, scene);
            log.append(result);
            scenesRun++;
            progress.tick(`${condition.id} ${persona.id} #${scene.index}: ${result.turns} turns, ${result.outcome}`);
          }
          current = 0;
          if (!finished.has(`${episodeKey(condition.id, persona.id)}|${persona.scenes.length}`)) {
            log.append(await finishEpisode(env, condition, persona, persona.scenes.length));
          }
        } catch (error) {
          failures++;
          const message = (error as Error)?.message?.split("\n")[0] ?? String(error);
          log.append({
            type: "episode-error",
            condition: condition.id,
            personaId: persona.id,
            sceneIndex: current,
            error: message,
            at: new Date().toISOString(),
          });
          progress.tick(`${condition.id} ${persona.id} #${current}: ${message}`, false);
        }
      },
      stopped,
    );
    progress.end();

    if (options.settings.judge && !stopped()) {
      const pairs = pendingPairs(log, options.conditions);
      if (pairs.length) {
        const pairProgress = new Progress(pairs.length, options.progress, "pairwise judgments");
        await runPool(
          pairs,
          options.concurrency ?? 1,
          async ({ candidate, golden, order }) => {
            const meter = new CostMeter();
            const persona = personas.find((p) => p.id === candidate.personaId) ?? loaded.personas.find((p) => p.id === candidate.personaId);
            const scene = persona?.scenes.find((s) => s.index === candidate.sceneIndex);
            if (!persona || !scene) return;
            const [a, b] = order === "condition-first" ? [candidate.firstReply, golden.firstReply] : [golden.firstReply, candidate.firstReply];
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
                condition: candidate.condition,
                personaId: candidate.personaId,
                sceneIndex: candidate.sceneIndex,
                order,
                verdict,
                ...(conditionScore !== undefined ? { conditionScore } : {}),
                cost: meter.take(),
                at: new Date().toISOString(),
              });
              pairProgress.tick(`${candidate.condition} ${candidate.personaId} #${candidate.sceneIndex} ${order}`);
            } catch (error) {
              failures++;
              const message = (error as Error)?.message?.split("\n")[0] ?? String(error);
              log.append({
                type: "pairwise-error",
                condition: candidate.condition,
                personaId: candidate.personaId,
                sceneIndex: candidate.sceneIndex,
                order,
                error: message,
                at: new Date().toISOString(),
              });
              pairProgress.tick(`${candidate.condition} ${candidate.personaId} #${candidate.sceneIndex}: ${message}`, false);
            }
          },
          stopped,
        );
        pairProgress.end();
      }
    }
  } finally {
    persistence.close();
  }

  const report = writeReport(outDir, log.records, conditionIds, options.settings.turnCap, {
    title: "PersonaBench evaluation",
    data: loaded.dir,
    personas: personas.length,
    scenesPerPersona: [...new Set(personas.map((p) => p.scenes.length))].join(", "),
    models: options.modelInfo,
    judge: options.settings.judge,
    sceneToChatbot: options.settings.sceneToChatbot,
    conditionNotes: Object.fromEntries(
      conditionIds.map((id) => {
        const condition = options.conditions.find((c) => c.id === id);
        return [id, condition ? describeCondition(condition) : "from an earlier run in this folder"];
      }),
    ),
    dataWarnings: loaded.problems.length,
  });
  return {
    ...report,
    outDir,
    scenesRun,
    scenesSkipped,
    failures,
    interrupted: stopped(),
    dataProblems: loaded.problems,
  };
}
