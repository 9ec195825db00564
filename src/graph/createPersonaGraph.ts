import { END, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { PersonaContextSchema } from "./context.js";
import { resolvePersonaSettings, type PersonaGraphOptions } from "./options.js";
import { PersonaGraphState } from "./state.js";
import { createSessionManagerNode, SESSION_MANAGER } from "./nodes/sessionManager.js";
import { createPersonalizedChatbotNode, PERSONALIZED_CHATBOT } from "./nodes/personalizedChatbot.js";
import { createPersonaUpdateNode, PERSONA_UPDATE } from "./nodes/personaUpdate.js";
import { routeAfterChatbot, routeAfterSessionManager, TOOL_EXECUTOR } from "./routes.js";

/**
 * Builds the persona chatbot graph, uncompiled: compile it with the
 * checkpointer and store of your choice, and pass the user id as context.
 *
 *   const graph = createPersonaGraph({ model }).compile({ checkpointer, store });
 *   await graph.invoke({ messages: [new HumanMessage("hi")] },
 *     { configurable: { thread_id: "t1" }, context: { userId: "u1" } });
 *
 * Send `{ endSession: true }` to end the session; starting a new thread for the
 * same user ends the previous one too.
 */
export function createPersonaGraph(options: PersonaGraphOptions) {
  const settings = resolvePersonaSettings(options);
  return new StateGraph(PersonaGraphState, { context: PersonaContextSchema })
    .addNode(SESSION_MANAGER, createSessionManagerNode(settings))
    .addNode(PERSONALIZED_CHATBOT, createPersonalizedChatbotNode(settings))
    .addNode(TOOL_EXECUTOR, new ToolNode(settings.tools))
    .addNode(PERSONA_UPDATE, createPersonaUpdateNode(settings))
    .addEdge(START, SESSION_MANAGER)
    .addConditionalEdges(SESSION_MANAGER, routeAfterSessionManager, [PERSONALIZED_CHATBOT, PERSONA_UPDATE, END])
    .addConditionalEdges(PERSONALIZED_CHATBOT, routeAfterChatbot, [TOOL_EXECUTOR, SESSION_MANAGER])
    .addEdge(TOOL_EXECUTOR, PERSONALIZED_CHATBOT)
    .addEdge(PERSONA_UPDATE, END);
}

/**
 * Builds the standalone persona learner graph, uncompiled: given the user id
 * in context, it learns that user's ended, not yet learned sessions. Schedule
 * it in the background when the chat graph uses `learning: "background"`.
 */
export function createPersonaLearnerGraph(options: PersonaGraphOptions) {
  const settings = resolvePersonaSettings(options);
  return new StateGraph(PersonaGraphState, { context: PersonaContextSchema })
    .addNode(PERSONA_UPDATE, createPersonaUpdateNode(settings))
    .addEdge(START, PERSONA_UPDATE)
    .addEdge(PERSONA_UPDATE, END);
}
