import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatProblem, loadPersonaBench } from "../bench.js";
import { generateSceneCategories } from "./categories.js";
import type { GenerateRole } from "./cost.js";
import { createPersonaBenchGenerator } from "./graph.js";
import { outputLanguage } from "./language.js";
import { GenerationLog, writeFileAtomically, type LogRecord, type RunIdentity, type SlotFigures } from "./log.js";
import type { SharedRun } from "./options.js";
import { personaFileName, personaText, seedSummary } from "./personaFile.js";
import { mapPool } from "./pool.js";
import { GenerationProgress } from "./progress.js";
import type { SceneCategory, Seed } from "./records.js";
import { renderGenerationReport, summarizeGeneration, type GenerationSummary } from "./report.js";
import { planScenes } from "./scenePlan.js";
import { DiversityIndex } from "./similarity.js";
import { resolveRequest, type GenerationRequestInput, type GeneratorStateType, type PersonaJob } from "./state.js";
import type { CallLedger } from "./structuredCall.js";

/**
 * The run's log in the output folder: one JSON line per run start, category list and finished persona.
 * @example
 * const log = readFileSync(join(outDir, GENERATION_LOG_FILE), "utf8").trim().split("\n").map((line) => JSON.parse(line));
 */
export const GENERATION_LOG_FILE = "generation-log.jsonl";
/**
 * The report in the output folder, rewritten at the end of every run.
 * @example
 * console.log(readFileSync(join(outDir, GENERATION_REPORT_FILE), "utf8"));
 */
export const GENERATION_REPORT_FILE = "generation-report.md";

/**
 * Options of `runGeneration`.
 * @example
 * await runGeneration({
 *   population: "retirees in Spain",
 *   out: "generated",
 *   personas: 2,
 *   models: generateModels(resolveGenerateModels({}, process.env)),
 *   modelInfo: describeGenerateModels(resolveGenerateModels({}, process.env)),
 *   progress: process.stderr,
 * });
 */
export interface GenerationRunOptions {
  /**
   * Seed personas (from `readSeedFile`); give these or `population`.
   * @default none
   */
  seeds?: Seed[];
  /**
   * The seed file's path, recorded so a resumed run uses the same seeds.
   * @default none
   */
  seedFile?: string;
  /**
   * Who the personas are, when there are no seeds, e.g. "retirees in Spain".
   * @default none
   */
  population?: string;
  /**
   * Scene categories with capabilities.
   * @default generated once for the run and kept in the log
   */
  categories?: SceneCategory[];
  /** Output folder; rerunning with the same folder resumes. */
  out: string;
  /**
   * How many personas: with seeds, the first N seeds; with a population, N.
   * @default all seeds, or 10 with a population
   */
  personas?: number;
  /** Scenes per persona. @default 10 */
  scenes?: number;
  /** Output language code. @default "en" */
  language?: string;
  /** Personas generated at once. @default 1 */
  concurrency?: number;
  /**
   * Further request settings (similarity limits, repairs, refills, scene mix).
   * @default the request schema's defaults
   */
  request?: Omit<GenerationRequestInput, "population" | "personas" | "scenes" | "language" | "concurrency" | "firstSlot">;
  models: Record<GenerateRole, BaseChatModel>;
  /** Model names and endpoints, logged and reported (no secrets). */
  modelInfo: Record<GenerateRole, { model: string; baseURL: string }>;
  /** Calls per structured output. @default 3 */
  maxAttempts?: number;
  /** Where progress goes (a terminal gets a bar). */
  progress: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * When aborted, no new persona starts; personas in flight finish and are written.
   * @default none (runs to the end)
   */
  signal?: AbortSignal;
}

/**
 * What {@link runGeneration} did: the output folder, the report, and the personas written,
 * dropped, failed and skipped.
 * @example
 * const { outDir, reportPath } = await runGeneration(options);
 */
export interface GenerationRunResult {
  outDir: string;
  reportPath: string;
  /** Personas written, dropped and failed by this run; skipped: done by earlier runs. */
  written: number;
  dropped: number;
  failed: number;
  skipped: number;
  interrupted: boolean;
  /** Problems `loadPersonaBench` reports on the output folder (should be none). */
  loaderProblems: string[];
  summary: GenerationSummary;
}

function checkResumable(log: GenerationLog, identity: RunIdentity, outDir: string): void {
  const previous = log.identity();
  if (!previous) return;
  const differences: string[] = [];
  const before = JSON.stringify(previous.source);
  if (before !== JSON.stringify(identity.source)) differences.push(`source was ${before}, now ${JSON.stringify(identity.source)}`);
  for (const key of ["scenes", "language", "noApiScenes", "specificScenes", "maxPersonaSimilarity", "maxSceneSimilarity"] as const) {
    if (previous[key] !== identity[key]) differences.push(`${key} was ${previous[key]}, now ${identity[key]}`);
  }
  for (const [role, now] of Object.entries(identity.models)) {
    const was = previous.models[role];
    if (was && (was.model !== now.model || was.baseURL !== now.baseURL)) differences.push(`${role} model was ${was.model} at ${was.baseURL}, now ${now.model} at ${now.baseURL}`);
  }
  if (differences.length) {
    throw new Error(`${outDir} holds personas generated with other settings (${differences.join("; ")}); use the same settings to resume, or another --out`);
  }
}

const emptyFigures = (): SlotFigures => ({ drops: [], failures: [], similarities: [], stats: {}, cost: {} });

function figuresOf(state: Partial<GeneratorStateType> | undefined): SlotFigures {
  if (!state) return emptyFigures();
  return {
    drops: state.drops ?? [],
    failures: state.failures ?? [],
    similarities: state.similarities ?? [],
    stats: state.stats ?? {},
    cost: state.cost ?? {},
  };
}

/**
 * Generates a PersonaBench data folder: one persona file per slot in the
 * release layout (the `personabench_generator` graph, one invocation per
 * persona, `concurrency` at once), `generation-log.jsonl` (what is done, with
 * every figure) and `generation-report.md`. Rerunning with the same folder
 * skips finished personas and retries failed ones. The folder is loaded with
 * `loadPersonaBench` at the end and its problems reported.
 *
 * @param options - Source, size, language, models and output folder.
 * @returns What this run did, the loader check and the whole folder's summary.
 * @throws Error before any model call when the input is unusable or the folder holds another run's personas.
 * @example
 * const result = await runGeneration({ population: "retirees in Spain", personas: 5, out: "bench-es",
 *   language: "es", models: { generator, checker }, modelInfo, progress: process.stderr });
 */
export async function runGeneration(options: GenerationRunOptions): Promise<GenerationRunResult> {
  const seeds = options.seeds ?? [];
  const population = options.population?.trim();
  if (seeds.length === 0 && !population) throw new Error("give seeds or a population to generate personas from");
  if (seeds.length > 0 && population) throw new Error("give seeds or a population, not both");
  if (seeds.length && options.personas !== undefined && options.personas > seeds.length) {
    throw new Error(`${options.personas} personas asked for, but there are only ${seeds.length} seeds: ask for at most ${seeds.length}, or add seeds`);
  }
  const asked = seeds.length ? options.personas ?? seeds.length : options.personas ?? 10;
  const request = resolveRequest({
    ...options.request,
    scenes: options.scenes ?? 10,
    language: options.language ?? "en",
    personas: 1,
    concurrency: 1,
    ...(population ? { population } : {}),
  });
  const language = outputLanguage(request.language);
  const plan = planScenes(request);
  const commonNeeded = plan.filter((slot) => slot.source === "common").length;
  if (options.categories && options.categories.length < commonNeeded) {
    throw new Error(`${options.categories.length} scene categories for ${commonNeeded} common scenes per persona: give more categories or ask for fewer scenes`);
  }

  const outDir = resolve(options.out);
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(outDir)) if (/^\..+\.json\.tmp-\d+$/.test(name)) rmSync(join(outDir, name), { force: true });
  const log = new GenerationLog(join(outDir, GENERATION_LOG_FILE));
  const identity: RunIdentity = {
    source: seeds.length ? { kind: "seeds", file: options.seedFile ? resolve(options.seedFile) : "(given in code)", seeds: seeds.length } : { kind: "population", text: population! },
    scenes: request.scenes,
    language: request.language,
    noApiScenes: request.noApiScenes ?? null,
    specificScenes: request.specificScenes ?? null,
    maxPersonaSimilarity: request.maxPersonaSimilarity,
    maxSceneSimilarity: request.maxSceneSimilarity,
    models: options.modelInfo,
  };
  checkResumable(log, identity, outDir);
  log.append({ type: "run", identity, personas: asked, at: new Date().toISOString() });

  // What earlier runs did: their personas count for diversity and keep their file names.
  const shared: SharedRun = { personas: new DiversityIndex(), seeds: [], seedLock: { tail: Promise.resolve() } };
  const taken = new Set<string>();
  for (const record of log.personas()) {
    const path = join(outDir, record.file);
    if (!existsSync(path)) writeFileAtomically(path, `${JSON.stringify(record.data, null, 2)}\n`);
    taken.add(record.file.toLowerCase());
    shared.personas.add(String(record.slot), record.name, record.personaText);
    shared.seeds.push(record.seedSummary);
  }
  const done = log.doneSlots();
  const pending = Array.from({ length: asked }, (_, slot) => slot).filter((slot) => !done.has(slot));
  const progress = new GenerationProgress(asked, options.progress, asked - pending.length);
  if (log.skippedLines.length) progress.note(`persona generate: ignored unreadable lines ${log.skippedLines.join(", ")} of ${GENERATION_LOG_FILE} (cut by a kill)`);

  let categories = options.categories;
  if (!categories) {
    const logged = [...log.records].reverse().find((record): record is Extract<LogRecord, { type: "categories" }> => record.type === "categories");
    if (logged) categories = logged.categories;
    else if (pending.length) {
      const ledger: CallLedger = { cost: {}, stats: {} };
      const description = population ?? `people like these: ${seeds.slice(0, 12).map(seedSummary).join(" | ")}`;
      categories = await generateSceneCategories(options.models.generator, description, language.name, commonNeeded, ledger, options.maxAttempts);
      log.append({ type: "categories", categories, ...ledger, at: new Date().toISOString() });
    }
  }

  const graph = createPersonaBenchGenerator({
    generator: options.models.generator,
    checker: options.models.checker,
    maxAttempts: options.maxAttempts,
    shared,
  }).compile();
  const stopped = () => Boolean(options.signal?.aborted);
  let written = 0;
  let dropped = 0;
  let failed = 0;

  // What a persona is working on once a node has finished (the filter either ends or refills).
  const NEXT: Record<string, string> = {
    seed: "persona_synthesis",
    persona_synthesis: "scene_generation",
    scene_generation: "query_generation",
    query_generation: "filter_refine",
    filter_refine: "refill or write",
  };
  const runSlot = async (slot: number): Promise<void> => {
    if (stopped()) return;
    progress.stage(slot, "seed");
    let final: Partial<GeneratorStateType> | undefined;
    let error: string | undefined;
    try {
      const stream = await graph.stream(
        {
          request: { ...request, firstSlot: slot, personas: 1, concurrency: 1 },
          seeds: seeds.length ? [seeds[slot]] : [],
          categories: categories ?? [],
        },
        { streamMode: ["updates", "values"], recursionLimit: 100 },
      );
      for await (const [mode, chunk] of stream as AsyncIterable<[string, Record<string, unknown>]>) {
        if (mode === "values") final = chunk as Partial<GeneratorStateType>;
        else for (const node of Object.keys(chunk)) progress.stage(slot, NEXT[node] ?? node);
      }
    } catch (caught) {
      error = (caught as Error)?.message?.split("\n")[0] ?? String(caught);
    }
    const job: PersonaJob | undefined = final?.jobs?.find((candidate) => candidate.slot === slot);
    const figures = figuresOf(final);
    const at = new Date().toISOString();
    const name = job?.persona?.Demographics.Name ?? job?.seed?.Name ?? null;
    if (!error && job?.status === "done" && job.file && job.persona) {
      const file = personaFileName(job.persona.Demographics.Name, taken);
      // Logged first: the log says what is done; the file is (re)written from it.
      log.append({
        type: "persona",
        slot,
        file,
        name: job.persona.Demographics.Name,
        personaText: personaText(job.persona),
        seedSummary: job.seed ? seedSummary(job.seed) : "",
        data: job.file,
        ...figures,
        at,
      });
      writeFileAtomically(join(outDir, file), `${JSON.stringify(job.file, null, 2)}\n`);
      written++;
      const repaired = job.scenes.filter((scene) => scene.status === "accepted" && scene.repairs.length).length;
      const droppedScenes = job.scenes.filter((scene) => scene.status === "dropped").length;
      progress.finish(slot, `${file}: ${job.file.scenes.length} scenes (${droppedScenes} dropped, ${repaired} repaired)`);
    } else if (!error && job?.status === "dropped") {
      log.append({ type: "dropped", slot, name, outcome: job.outcome!, ...figures, at });
      shared.personas.remove(String(slot));
      dropped++;
      progress.finish(slot, `slot ${slot + 1}${name ? ` (${name})` : ""} dropped: ${job.outcome?.reason}: ${job.outcome?.detail}`);
    } else {
      const outcome = job?.outcome ?? {
        stage: "seed" as const,
        reason: error ? "error" : "no-result",
        detail: error ?? "the graph ended without finishing this persona",
      };
      const failures = error ? [...figures.failures, { slot, stage: outcome.stage, kind: "model-error" as const, message: error }] : figures.failures;
      log.append({ type: "failed", slot, name, outcome, ...figures, failures, at });
      shared.personas.remove(String(slot));
      failed++;
      progress.finish(slot, `slot ${slot + 1}${name ? ` (${name})` : ""}: ${outcome.stage}: ${outcome.detail}`, false);
    }
  };

  try {
    await mapPool(pending, options.concurrency ?? 1, runSlot);
  } finally {
    progress.end();
  }

  const loaded = loadPersonaBench(outDir);
  const loaderProblems = loaded.problems.map(formatProblem);
  const summary = summarizeGeneration(log.records, asked, request.scenes);
  const reportPath = join(outDir, GENERATION_REPORT_FILE);
  writeFileSync(
    reportPath,
    renderGenerationReport(summary, { identity, outDir, loaderProblems, loaderPersonas: loaded.personas.length, interrupted: stopped() }),
  );
  return {
    outDir,
    reportPath,
    written,
    dropped,
    failed,
    skipped: asked - pending.length,
    interrupted: stopped(),
    loaderProblems,
    summary,
  };
}
