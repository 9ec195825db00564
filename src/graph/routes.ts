import type { AIMessage } from "@langchain/core/messages";
import { END } from "@langchain/langgraph";
import type { PersonaGraphStateType } from "./state.js";
import { PERSONALIZED_CHATBOT } from "./nodes/personalizedChatbot.js";
import { PERSONA_UPDATE } from "./nodes/personaUpdate.js";
import { SESSION_RECORDER } from "./nodes/sessionRecorder.js";

export const TOOL_EXECUTOR = "tools";

/** After the session manager: answer this turn's input, or (no new message) go straight to the recorder. */
export function routeAfterSessionManager(state: PersonaGraphStateType): string {
  return state.turnStart !== null ? PERSONALIZED_CHATBOT : SESSION_RECORDER;
}

/** After the chatbot: run its tool calls, or hand the finished turn to the recorder. */
export function routeAfterChatbot(state: PersonaGraphStateType): string {
  const last = state.messages.at(-1) as AIMessage | undefined;
  return last?.tool_calls?.length ? TOOL_EXECUTOR : SESSION_RECORDER;
}

/** After the recorder: learn when due, else the run is over. */
export function routeAfterRecorder(state: PersonaGraphStateType): string {
  return state.learningDue ? PERSONA_UPDATE : END;
}
