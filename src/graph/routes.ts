import type { AIMessage } from "@langchain/core/messages";
import { END } from "@langchain/langgraph";
import type { PersonaGraphStateType } from "./state.js";
import { SESSION_MANAGER } from "./nodes/sessionManager.js";
import { PERSONALIZED_CHATBOT } from "./nodes/personalizedChatbot.js";
import { PERSONA_UPDATE } from "./nodes/personaUpdate.js";

export const TOOL_EXECUTOR = "tools";

/** After the session manager: answer a new user message, learn if due, or stop. */
export function routeAfterSessionManager(state: PersonaGraphStateType): string {
  if (state.messages.at(-1)?.getType() === "human") return PERSONALIZED_CHATBOT;
  if (state.learningDue) return PERSONA_UPDATE;
  return END;
}

/** After the chatbot: run its tool calls, or hand the finished turn back to the session manager. */
export function routeAfterChatbot(state: PersonaGraphStateType): string {
  const last = state.messages.at(-1) as AIMessage | undefined;
  return last?.tool_calls?.length ? TOOL_EXECUTOR : SESSION_MANAGER;
}
