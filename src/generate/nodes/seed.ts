import { HumanMessage } from "@langchain/core/messages";
import { formatPrompt } from "../../prompts/formatPrompt.js";
import { generateSceneCategories } from "../categories.js";
import { outputLanguage } from "../language.js";
import { failJob, StageLedger } from "../ledger.js";
import { takeSeedLock, type GeneratorSettings } from "../options.js";
import { seedSummary } from "../personaFile.js";
import { GENERATE_SEEDS } from "../prompts/generateSeeds.js";
import type { Seed } from "../records.js";
import { planScenes } from "../scenePlan.js";
import { resolveRequest, type GenerationRequest, type GeneratorStateType, type GeneratorUpdate, type PersonaJob } from "../state.js";
import { callStructured } from "../structuredCall.js";
import { TOOLS } from "../tools.js";

export const SEED = "seed";

/** Seeds asked for in one call. */
const SEEDS_PER_CALL = 8;
/** Lines of "already used" people shown to the seed prompt (the most recent). */
const AVOID_LINES = 60;

const nameKey = (name: string) => name.normalize("NFKC").trim().toLowerCase();

function newJob(slot: number, seed: Seed | null): PersonaJob {
  return { slot, status: "active", seed, persona: null, scenes: [], refills: 0, file: null, outcome: null };
}

/** New seeds from the population, in calls of up to SEEDS_PER_CALL, each different from everyone made before. */
async function generateSeeds(
  settings: GeneratorSettings,
  ledger: StageLedger,
  state: GeneratorStateType,
  request: GenerationRequest,
  population: string,
  language: string,
): Promise<PersonaJob[]> {
  const avoid = [...state.avoidSeeds, ...(settings.shared?.seeds ?? [])];
  const seeds: Seed[] = [];
  const jobs: PersonaJob[] = [];
  while (jobs.length < request.personas) {
    const count = Math.min(SEEDS_PER_CALL, request.personas - jobs.length);
    const used = [...avoid, ...seeds.map(seedSummary)];
    const taken = new Set(used.map((line) => nameKey(line.split(",")[0])));
    try {
      const reply = await callStructured(
        settings.generator,
        {
          role: "generator",
          stage: "seed",
          tool: TOOLS.seeds.name,
          description: TOOLS.seeds.description,
          schema: TOOLS.seeds.schema,
          check: (value) => {
            if (value.seeds.length < count) return `${value.seeds.length} people given, ${count} asked for`;
            const names = value.seeds.slice(0, count).map((seed) => nameKey(seed.Name));
            const repeated = names.find((name, i) => taken.has(name) || names.indexOf(name) !== i);
            return repeated ? `the name "${repeated}" is already used: every person needs a new name` : undefined;
          },
          messages: [
            new HumanMessage(
              formatPrompt(GENERATE_SEEDS, {
                population,
                count: String(count),
                language,
                avoid: used.slice(-AVOID_LINES).join("\n") || "(nobody yet)",
                tool: TOOLS.seeds.name,
              }),
            ),
          ],
        },
        ledger,
        settings.maxAttempts,
      );
      for (const seed of reply.seeds.slice(0, count)) {
        seeds.push(seed);
        settings.shared?.seeds.push(seedSummary(seed));
        jobs.push(newJob(request.firstSlot + jobs.length, seed));
      }
      ledger.count("generated", count);
    } catch (error) {
      // The jobs this call should have seeded fail; a rerun asks again.
      const record = ledger.fail(request.firstSlot + jobs.length, error);
      for (let i = 0; i < count; i++) jobs.push(failJob(newJob(request.firstSlot + jobs.length, null), ledger, error, record));
    }
  }
  return jobs;
}

/**
 * Stage 1, seed: the seed personas of this invocation, from the input or
 * generated from `request.population` (each different from the people made
 * before); and the scene categories, from the input or generated for the
 * population. One job per seed leaves this node.
 *
 * @param settings - Models and shared run state.
 * @returns The node.
 * @example
 * graph.addNode(SEED, createSeedNode(settings));
 */
export function createSeedNode(settings: GeneratorSettings) {
  return async (state: GeneratorStateType): Promise<GeneratorUpdate> => {
    const ledger = new StageLedger("seed");
    const request = resolveRequest(state.request);
    const language = outputLanguage(request.language).name;
    const commonNeeded = planScenes(request).filter((slot) => slot.source === "common").length;
    const population = request.population?.trim();
    if (state.seeds.length === 0 && !population) {
      throw new Error('personabench generator: give "seeds" (a list of {Name, Demographics, Personality}) or "request.population" (who the personas are)');
    }

    let categories = state.categories;
    if (categories.length === 0) {
      const description = population ?? `people like these: ${state.seeds.slice(0, 12).map(seedSummary).join(" | ")}`;
      try {
        categories = await generateSceneCategories(settings.generator, description, language, commonNeeded, ledger, settings.maxAttempts);
      } catch (error) {
        // One failure for the run's categories; every job of this invocation fails with it.
        const record = ledger.fail(null, error);
        const count = state.seeds.length || request.personas;
        const failed = Array.from({ length: count }, (_, i) => failJob(newJob(request.firstSlot + i, state.seeds[i] ?? null), ledger, error, record));
        return ledger.update({ jobs: failed });
      }
    } else if (categories.length < commonNeeded) {
      throw new Error(
        `personabench generator: ${categories.length} scene categories for ${commonNeeded} common scenes per persona; give more categories or fewer scenes`,
      );
    }

    if (state.seeds.length > 0) {
      ledger.count("from_input", state.seeds.length);
      return ledger.update({ categories, jobs: state.seeds.map((seed, i) => newJob(request.firstSlot + i, seed)) });
    }
    // Concurrent invocations of one run take turns, so each sees the seeds the others made.
    const release = settings.shared?.seedLock ? await takeSeedLock(settings.shared.seedLock) : () => undefined;
    try {
      return ledger.update({ categories, jobs: await generateSeeds(settings, ledger, state, request, population!, language) });
    } finally {
      release();
    }
  };
}
