import { z } from "zod";
import { registry } from "@langchain/langgraph/zod";
import { addCosts, addCounts, type CostTable } from "./cost.js";
import {
  categorySchema,
  seedSchema,
  type ApiDoc,
  type GenerationStage,
  type GoldenPersona,
  type ReleasePersonaFile,
  type SceneCategory,
  type Seed,
} from "./records.js";

/**
 * What to generate. Every field has a default, so `{ population: "..." }` alone is a valid request.
 * @example
 * const request = generationRequestSchema.parse({ population: "retirees in Spain", personas: 2 });
 */
export const generationRequestSchema = z.object({
  population: z
    .string()
    .optional()
    .describe('Who the personas are, e.g. "retirees in Spain" (used when no seeds are given)'),
  personas: z.number().int().min(1).max(1000).default(1).describe("Personas to generate from the population (ignored when seeds are given)"),
  scenes: z.number().int().min(1).max(50).default(10).describe("Scenes per persona"),
  language: z.string().default("en").describe("Language of every generated text, a BCP 47 code (en, zh, es, ...)"),
  concurrency: z.number().int().min(1).max(64).default(1).describe("Personas worked on at once in this run"),
  firstSlot: z.number().int().min(0).default(0).describe("Slot number of the first persona (runs split over several invocations)"),
  noApiScenes: z.number().int().min(0).optional().describe("Scenes without APIs at the start (default 30% of scenes, at least 1)"),
  specificScenes: z.number().int().min(0).optional().describe("Person-specific scenes at the end (default 30% of scenes)"),
  maxPersonaSimilarity: z.number().min(0).max(1).default(0.85).describe("A persona this similar (trigram cosine) to an earlier one is regenerated"),
  maxSceneSimilarity: z.number().min(0).max(1).default(0.8).describe("A scene this similar to an earlier scene of the persona is dropped"),
  personaRegenerations: z.number().int().min(0).max(10).default(2).describe("New tries for a near-duplicate persona before it is dropped"),
  sceneRepairs: z.number().int().min(0).max(5).default(1).describe("Repairs of a scene that fails the check before it is dropped"),
  refillRounds: z.number().int().min(0).max(5).default(2).describe("Rounds of new scenes for the positions whose scene was dropped"),
});
/**
 * A request with every default filled in (the output of {@link generationRequestSchema}).
 * @example
 * const request: GenerationRequest = resolveRequest({ population: "retirees in Spain" });
 */
export type GenerationRequest = z.output<typeof generationRequestSchema>;
/**
 * A request as given: every field optional (the input of {@link generationRequestSchema}).
 * @example
 * await graph.invoke({ request: { population: "retirees in Spain", personas: 1 } satisfies GenerationRequestInput });
 */
export type GenerationRequestInput = z.input<typeof generationRequestSchema>;

/**
 * One scene on its way through stages 3–5.
 * @example
 * const drafts: SceneDraft[] = state.jobs[0]?.scenes ?? [];
 */
export interface SceneDraft {
  /** Planned position in the persona's scene list, from 1. */
  position: number;
  tools: boolean;
  source: "common" | "specific";
  /** Refill round that planned it: 0 for the first. */
  round: number;
  /** Category name from the list ("common"), or the scene's own label ("specific"). */
  category: string;
  /** "label：explanation", as the release writes scene_type. */
  sceneType: string;
  capabilities: string[];
  description?: string;
  context?: string;
  expectedResponse?: string;
  apis?: ApiDoc[];
  personalizedQuery?: string;
  neutralizedQuery?: string;
  /** planned → written (stage 3) → queried (stage 4) → accepted or dropped (stage 5); dropped at any stage. */
  status: "planned" | "written" | "queried" | "accepted" | "dropped";
  /** What stage 5 repaired: "neutralized_query", "expected_response". */
  repairs: string[];
}

/**
 * Why a persona stopped: dropped (a decision, final) or failed (an error; a rerun tries again).
 * @example
 * const why: JobOutcome | undefined = state.jobs.find((job) => job.status === "dropped")?.outcome;
 */
export interface JobOutcome {
  stage: GenerationStage;
  reason: string;
  detail: string;
}

/**
 * One persona on its way through the pipeline.
 * @example
 * const done = state.jobs.filter((job: PersonaJob) => job.status === "done");
 */
export interface PersonaJob {
  /** Its number in the run (the seed's index in a seed file). */
  slot: number;
  status: "active" | "done" | "dropped" | "failed";
  seed: Seed | null;
  persona: GoldenPersona | null;
  scenes: SceneDraft[];
  /** Refill rounds used so far. */
  refills: number;
  /** The persona file in the release layout, once done. */
  file: ReleasePersonaFile | null;
  outcome: JobOutcome | null;
}

/**
 * Something removed by the pipeline, with the stage and reason.
 * @example
 * for (const drop of state.drops as DropRecord[]) console.log(drop.stage, drop.reason);
 */
export interface DropRecord {
  slot: number;
  persona: string | null;
  stage: GenerationStage;
  /** e.g. "near-duplicate-persona", "duplicate-scene", "unanswerable", "query-leaks-persona", "response-ignores-persona", "invalid-output", "no-scenes-left". */
  reason: string;
  /** Scene position, for scene drops. */
  scene: number | null;
  sceneType: string | null;
  detail: string;
}

/**
 * An error the pipeline counted: invalid output after every retry, or a model call that failed.
 * @example
 * for (const failure of state.failures as FailureRecord[]) console.log(failure.stage, failure.kind);
 */
export interface FailureRecord {
  slot: number | null;
  stage: GenerationStage;
  kind: "invalid-output" | "model-error" | "input";
  message: string;
}

/**
 * A persona candidate's similarity to the nearest persona already accepted.
 * @example
 * const highest = Math.max(...state.similarities.map((record: SimilarityRecord) => record.similarity));
 */
export interface SimilarityRecord {
  slot: number;
  attempt: number;
  similarity: number;
  nearest: string | null;
  accepted: boolean;
}

/** A field that keeps the last value written, with a default. */
function lastValue<S extends z.ZodType>(schema: S, initial: () => z.output<S>) {
  return schema.register(registry, {
    reducer: { fn: (_current: z.output<S>, update: z.output<S>) => update },
    default: initial,
  });
}

/** A list that every update appends to. */
function appendedList<T>(description: string) {
  return (z.array(z.record(z.string(), z.unknown())).describe(description) as unknown as z.ZodType<T[], T[]>).register(registry, {
    reducer: { fn: (current: T[], update: T[]) => [...current, ...update] },
    default: () => [] as T[],
  });
}

const jobs = z.array(z.record(z.string(), z.unknown())).describe("Personas in progress and finished, with their scenes") as unknown as z.ZodType<
  PersonaJob[],
  PersonaJob[]
>;
const counters = z.record(z.string(), z.number()).describe('Counts per stage, e.g. "filter_refine.accepted"');
const costs = z
  .record(z.string(), z.object({ calls: z.number(), promptTokens: z.number(), completionTokens: z.number(), callsWithoutUsage: z.number() }))
  .describe('Model calls and tokens by "role/stage"') as unknown as z.ZodType<CostTable, CostTable>;

/**
 * State of the `personabench_generator` graph. Input: `request` with
 * `seeds` or `request.population`, and optionally `categories`. Output: the
 * finished persona files in `jobs[].file`, and every drop, failure,
 * similarity, count and cost of the run.
 *
 * @example
 * new StateGraph(GeneratorState); // what createPersonaBenchGenerator builds on
 */
export const GeneratorState = z.object({
  request: lastValue(
    generationRequestSchema.partial().describe("What to generate; missing fields take their defaults") as unknown as z.ZodType<
      GenerationRequestInput,
      GenerationRequestInput
    >,
    () => ({}),
  ),
  seeds: lastValue(z.array(seedSchema).describe("Seed personas (Name, Demographics, Personality); empty: generate from request.population"), () => []),
  categories: lastValue(
    z.array(categorySchema).describe("Common scene categories with capabilities; empty: generated in the seed stage"),
    () => [] as SceneCategory[],
  ),
  existingPersonas: lastValue(
    z.array(z.string()).describe("Texts of personas made earlier, which new personas must not nearly duplicate"),
    () => [],
  ),
  avoidSeeds: lastValue(z.array(z.string()).describe("Short descriptions of people already made, for new seeds to differ from"), () => []),
  jobs: lastValue(jobs, () => []),
  drops: appendedList<DropRecord>("Everything dropped, with stage and reason"),
  failures: appendedList<FailureRecord>("Invalid outputs after every retry, and failed model calls"),
  similarities: appendedList<SimilarityRecord>("Each persona candidate's similarity to the nearest earlier persona"),
  stats: counters.register(registry, { reducer: { fn: addCounts }, default: () => ({}) }),
  cost: costs.register(registry, { reducer: { fn: addCosts }, default: () => ({}) }),
});

/**
 * The full state a node receives.
 * @example
 * const result: GeneratorStateType = await graph.invoke({ request: { population: "retirees in Spain" } });
 */
export interface GeneratorStateType {
  request: GenerationRequestInput;
  seeds: Seed[];
  categories: SceneCategory[];
  existingPersonas: string[];
  avoidSeeds: string[];
  jobs: PersonaJob[];
  drops: DropRecord[];
  failures: FailureRecord[];
  similarities: SimilarityRecord[];
  stats: Record<string, number>;
  cost: CostTable;
}

/**
 * What a node returns (also the graph's input).
 * @example
 * const input: GeneratorUpdate = { request: { population: "retirees in Spain", personas: 1 } };
 */
export type GeneratorUpdate = Partial<GeneratorStateType>;

/**
 * Fills the request's defaults and checks it.
 *
 * @param request - The request as given (fields may be missing).
 * @returns The complete request.
 * @throws Error saying which field is wrong.
 * @example
 * resolveRequest({ population: "nurses in Lyon" }).scenes; // 10
 */
export function resolveRequest(request: GenerationRequestInput | undefined): GenerationRequest {
  const parsed = generationRequestSchema.safeParse(request ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`personabench generator: request.${issue.path.map(String).join(".")}: ${issue.message}`);
  }
  return parsed.data;
}
