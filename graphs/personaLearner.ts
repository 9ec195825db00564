import { createPersonaLearnerGraph } from "../src/index.js";
import { servedGraphOptions } from "./settings.js";

/**
 * The standalone persona learner: for the user in context.userId, learns the
 * ended sessions not learned yet. Run it on a schedule (cron) or after a
 * session ends when the chatbot uses PERSONA_LEARNING=background.
 */
export const graph = createPersonaLearnerGraph(servedGraphOptions()).compile();
graph.name = "persona_learner";
