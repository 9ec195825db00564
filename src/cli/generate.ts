import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { GENERATE_ROLES, type GenerateRole } from "../generate/cost.js";
import { describeGenerateModels, generateModels, resolveGenerateModels, type GenerateRoleFlags } from "../generate/models.js";
import { outputLanguage } from "../generate/language.js";
import { runGeneration, type GenerationRunResult } from "../generate/runGeneration.js";
import { readCapabilityFile, readCategoryFile, readSeedFile, SeedFileError, withCapabilities } from "../generate/seedFiles.js";
import type { SceneCategory } from "../generate/records.js";
import type { CliCommand, CommandFlags, CommandIO } from "./command.js";
import { UsageError } from "./errors.js";
import { stopOnInterrupt } from "./interrupt.js";
import { MAX_CONCURRENCY, parseInteger, parsePositiveInteger } from "./settings.js";

const ROLE_FLAGS = GENERATE_ROLES.flatMap((role) => [`${role}-model`, `${role}-base-url`]);
/** Category and capability files looked for next to the seed file (the paper's names). */
const CATEGORY_FILE = "scene_settings.json";
const CAPABILITY_FILE = "scene_api_dict.json";

function parseFraction(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || number < 0 || number > 1) throw new UsageError(`${name} must be a number from 0 to 1, got "${value}"`);
  return number;
}

function readCategories(flags: CommandFlags, seedFile: string | undefined): SceneCategory[] | undefined {
  const near = (name: string) => (seedFile ? join(dirname(seedFile), name) : undefined);
  const categoryFile = flags.text("categories") ?? near(CATEGORY_FILE);
  const capabilityFile = flags.text("capabilities") ?? near(CAPABILITY_FILE);
  if (flags.text("categories") && !existsSync(resolve(flags.text("categories")!))) throw new UsageError(`--categories: no file at ${resolve(flags.text("categories")!)}`);
  if (flags.text("capabilities") && !existsSync(resolve(flags.text("capabilities")!))) throw new UsageError(`--capabilities: no file at ${resolve(flags.text("capabilities")!)}`);
  if (!categoryFile || !existsSync(categoryFile)) {
    if (flags.text("capabilities")) throw new UsageError("--capabilities needs --categories (the category list it annotates)");
    return undefined;
  }
  const categories = readCategoryFile(categoryFile);
  return capabilityFile && existsSync(capabilityFile) ? withCapabilities(categories, readCapabilityFile(capabilityFile)) : categories;
}

/** `persona generate`: builds a PersonaBench data folder with the five-stage pipeline; resumable. */
export async function runGenerateCommand(flags: CommandFlags, io: CommandIO, signal?: AbortSignal): Promise<GenerationRunResult> {
  const seedFlag = flags.text("seeds");
  const population = flags.text("population")?.trim();
  if (seedFlag && population) throw new UsageError("give --seeds <file> or --population <text>, not both");
  if (!seedFlag && !population) {
    throw new UsageError('--seeds <file> (seed personas, JSON) or --population "<who the personas are>" is required');
  }
  const out = flags.text("out");
  if (!out) throw new UsageError("--out <dir> is required: the folder the persona files go to (rerun with it to resume)");
  const language = flags.text("language") ?? "en";
  try {
    outputLanguage(language);
  } catch (error) {
    throw new UsageError(`--language: ${(error as Error).message}`);
  }
  const seedFile = seedFlag ? resolve(seedFlag) : undefined;
  if (seedFile && !existsSync(seedFile)) throw new UsageError(`--seeds: no file at ${seedFile}`);
  let seeds;
  let categories;
  try {
    seeds = seedFile ? readSeedFile(seedFile) : undefined;
    categories = readCategories(flags, seedFile);
  } catch (error) {
    if (error instanceof SeedFileError) throw new UsageError(error.message);
    throw error;
  }
  // Every number is checked before the endpoints, so a usage error comes first (exit 2).
  const counts = {
    personas: parsePositiveInteger("--personas", flags.text("personas")),
    scenes: parsePositiveInteger("--scenes", flags.text("scenes"), 1000),
    concurrency: parsePositiveInteger("--concurrency", flags.text("concurrency"), MAX_CONCURRENCY) ?? 1,
  };
  const request = {
    maxPersonaSimilarity: parseFraction("--max-persona-similarity", flags.text("max-persona-similarity")),
    maxSceneSimilarity: parseFraction("--max-scene-similarity", flags.text("max-scene-similarity")),
    noApiScenes: parseInteger("--no-api-scenes", flags.text("no-api-scenes"), { min: 0, max: 1000 }),
    specificScenes: parseInteger("--specific-scenes", flags.text("specific-scenes"), { min: 0, max: 1000 }),
  };
  const roleFlags: Partial<Record<GenerateRole, GenerateRoleFlags>> = {};
  for (const role of GENERATE_ROLES) roleFlags[role] = { model: flags.text(`${role}-model`), baseURL: flags.text(`${role}-base-url`) };
  // Every endpoint is resolved before anything is written.
  const settings = resolveGenerateModels(roleFlags);
  const result = await runGeneration({
    seeds,
    seedFile,
    population,
    categories,
    out,
    ...counts,
    language,
    request,
    models: generateModels(settings),
    modelInfo: describeGenerateModels(settings),
    progress: io.errors as NodeJS.WritableStream & { isTTY?: boolean },
    signal,
  });
  const s = result.summary;
  io.output.write(
    `${s.written} personas written (${result.written} now, ${result.skipped} done before), ${s.dropped} dropped, ${s.failedPending} failed; ${s.scenes} scenes\n` +
      `loader check: ${result.loaderProblems.length} problems\n` +
      `report: ${result.reportPath}\n` +
      (result.interrupted ? "(interrupted: rerun the same command to continue)\n" : ""),
  );
  if (result.interrupted) throw new Error("interrupted: rerun the same command to continue");
  if (result.failed > 0) throw new Error(`${result.failed} personas failed (see ${result.reportPath}); rerun the same command to retry them`);
  if (result.loaderProblems.length > 0) throw new Error(`the output has ${result.loaderProblems.length} loader problems (listed in ${result.reportPath})`);
  return result;
}

export const generateCommand: CliCommand = {
  name: "generate",
  usage:
    '(--seeds <file> | --population "<text>") --out <dir> [--personas N] [--scenes M] [--language en] [--concurrency C] [--categories <file>] [--capabilities <file>] [--max-persona-similarity 0.85] [--max-scene-similarity 0.8] [--no-api-scenes K] [--specific-scenes S] [--<role>-model <name>] [--<role>-base-url <url>]',
  summary:
    "Generate PersonaBench personas and scenes with the paper's five-stage pipeline (seed, persona synthesis, scenes, queries, filtering); one JSON file per persona, resumable; writes generation-report.md. Roles: generator, checker (env GENERATE_<ROLE>_MODEL / _BASE_URL / _API_KEY).",
  flags: [
    "seeds",
    "population",
    "out",
    "personas",
    "scenes",
    "language",
    "concurrency",
    "categories",
    "capabilities",
    "max-persona-similarity",
    "max-scene-similarity",
    "no-api-scenes",
    "specific-scenes",
    ...ROLE_FLAGS,
  ],
  run: async (flags, io) => {
    await stopOnInterrupt(io, "persona generate: stopping after the personas in flight (Ctrl-C again to quit now; rerun to resume)", (signal) =>
      runGenerateCommand(flags, io, signal),
    );
  },
};
