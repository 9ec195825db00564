import { EnvChatModel } from "../src/models/envChatModel.js";
import type { PersonaGraphOptions } from "../src/graph/options.js";

/**
 * Options of the served graphs, from the environment:
 *   PERSONA_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY  the model (read at the first call)
 *   PERSONA_UPDATE_EVERY                            learn after this many ended sessions (default 3)
 *   PERSONA_LEARNING                                "inline" (default) or "background"
 */
export function servedGraphOptions(env: NodeJS.ProcessEnv = process.env): PersonaGraphOptions {
  const options: PersonaGraphOptions = { model: new EnvChatModel() };
  const updateEvery = env.PERSONA_UPDATE_EVERY?.trim();
  if (updateEvery) {
    if (!/^[1-9][0-9]*$/.test(updateEvery)) {
      throw new Error(`PERSONA_UPDATE_EVERY must be a positive integer, got "${updateEvery}"`);
    }
    options.updateEvery = Number(updateEvery);
  }
  const learning = env.PERSONA_LEARNING?.trim();
  if (learning) {
    if (learning !== "inline" && learning !== "background") {
      throw new Error(`PERSONA_LEARNING must be "inline" or "background", got "${learning}"`);
    }
    options.learning = learning;
  }
  return options;
}
