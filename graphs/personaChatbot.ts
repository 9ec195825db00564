import { createPersonaGraph } from "../src/index.js";
import { servedGraphOptions } from "./settings.js";

/**
 * The personalized chatbot, compiled without a checkpointer or store: the
 * LangGraph API server injects its own. Pass the user id as context.userId.
 */
export const graph = createPersonaGraph(servedGraphOptions()).compile();
graph.name = "persona_chatbot";
