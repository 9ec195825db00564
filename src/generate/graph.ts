import { END, START, StateGraph } from "@langchain/langgraph";
import { createFilterRefineNode, FILTER_REFINE } from "./nodes/filterRefine.js";
import { createPersonaSynthesisNode, PERSONA_SYNTHESIS } from "./nodes/personaSynthesis.js";
import { createQueryGenerationNode, QUERY_GENERATION } from "./nodes/queryGeneration.js";
import { createSceneGenerationNode, SCENE_GENERATION } from "./nodes/sceneGeneration.js";
import { createSeedNode, SEED } from "./nodes/seed.js";
import { resolveGeneratorSettings, type PersonaBenchGeneratorOptions } from "./options.js";
import { routeAfterFilter } from "./routes.js";
import { GeneratorState } from "./state.js";

/**
 * Builds the PersonaBench generation pipeline of the AI Persona paper as a
 * graph, uncompiled. Its five nodes are the paper's five stages: `seed`,
 * `persona_synthesis`, `scene_generation`, `query_generation` and
 * `filter_refine` (which loops back to scene generation to refill dropped
 * scenes). Every model call is a forced tool call validated with zod.
 *
 * @param options - The generator model, optionally a separate checker model, retries and shared run state.
 * @returns The uncompiled StateGraph; compile it (no checkpointer is needed) and invoke it with a request.
 * @example
 * const graph = createPersonaBenchGenerator({ generator: model }).compile();
 * const state = await graph.invoke({ request: { population: "retirees in Spain", personas: 2, scenes: 5, language: "es" } });
 * const files = state.jobs.filter((job) => job.file).map((job) => job.file);
 */
export function createPersonaBenchGenerator(options: PersonaBenchGeneratorOptions) {
  const settings = resolveGeneratorSettings(options);
  return new StateGraph(GeneratorState)
    .addNode(SEED, createSeedNode(settings))
    .addNode(PERSONA_SYNTHESIS, createPersonaSynthesisNode(settings))
    .addNode(SCENE_GENERATION, createSceneGenerationNode(settings))
    .addNode(QUERY_GENERATION, createQueryGenerationNode(settings))
    .addNode(FILTER_REFINE, createFilterRefineNode(settings))
    .addEdge(START, SEED)
    .addEdge(SEED, PERSONA_SYNTHESIS)
    .addEdge(PERSONA_SYNTHESIS, SCENE_GENERATION)
    .addEdge(SCENE_GENERATION, QUERY_GENERATION)
    .addEdge(QUERY_GENERATION, FILTER_REFINE)
    .addConditionalEdges(FILTER_REFINE, routeAfterFilter, [SCENE_GENERATION, END]);
}
