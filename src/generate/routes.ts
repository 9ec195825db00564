import { END } from "@langchain/langgraph";
import { SCENE_GENERATION } from "./nodes/sceneGeneration.js";
import type { GeneratorStateType } from "./state.js";

/**
 * After filtering: back to scene generation while a persona still has
 * positions to refill (the filter leaves such personas active), else the end.
 *
 * @param state - The graph state.
 * @returns "scene_generation", or END.
 * @example
 * routeAfterFilter({ jobs: [] }); // END
 */
export function routeAfterFilter(state: Pick<GeneratorStateType, "jobs">): string {
  return state.jobs.some((job) => job.status === "active") ? SCENE_GENERATION : END;
}
