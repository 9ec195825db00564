import { createPersonaBenchGenerator } from "../src/generate.js";
import { EnvChatModel } from "../src/models/envChatModel.js";

/**
 * The PersonaBench generation pipeline (seed → persona synthesis → scene
 * generation → query generation → filter & refine). The model comes from the
 * environment at the first call (PERSONA_MODEL, OPENAI_BASE_URL,
 * OPENAI_API_KEY); the checker runs at temperature 0. Input, e.g.:
 *   { "request": { "population": "retirees in Spain", "personas": 2, "scenes": 5, "language": "es" } }
 */
export const graph = createPersonaBenchGenerator({
  generator: new EnvChatModel(),
  checker: new EnvChatModel({ temperature: 0 }),
}).compile();
graph.name = "personabench_generator";
