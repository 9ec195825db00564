import { EnvChatModel } from "../src/models/envChatModel.js";
import type { PersonaGraphOptions } from "../src/index.js";

/**
 * Options of the served graphs, from the environment:
 *   PERSONA_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY  the model (read at the first call)
 *   PERSONA_UPDATE_EVERY                            learn after this many ended sessions (default 3)
 *   PERSONA_LEARNING                                "inline" (default) or "background"
 *   PERSONA_REVIEW                                  "on": a person approves each persona update (default "off")
 */
export function servedGraphOptions(env: NodeJS.ProcessEnv = process.env): PersonaGraphOptions {
  // Studio shows the state from its zod schema, so the served graphs validate it.
  const options: PersonaGraphOptions = { model: new EnvChatModel(), validateState: true };
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
  const review = env.PERSONA_REVIEW?.trim();
  if (review) {
    if (review !== "on" && review !== "off") {
      throw new Error(`PERSONA_REVIEW must be "on" or "off", got "${review}"`);
    }
    options.review = review === "on";
  }
  return options;
}
