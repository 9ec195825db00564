import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import { END } from "@langchain/langgraph";

/** Node names of the persona graph. */
export const SESSION_MANAGER = "session_manager";
export const PERSONALIZED_CHATBOT = "personalized_chatbot";
export const TOOL_EXECUTOR = "tools";
export const SESSION_RECORDER = "session_recorder";
export const PERSONA_UPDATE = "persona_update";

/**
 * Where a turn goes after it is opened: to the chatbot when it has new input,
 * else (an end-only input) straight to the recorder.
 * @param turnStart the index of the turn's input, or null when there is none
 */
export function routeAfterSessionManager(turnStart: number | null): typeof PERSONALIZED_CHATBOT | typeof SESSION_RECORDER {
  return turnStart !== null ? PERSONALIZED_CHATBOT : SESSION_RECORDER;
}

/**
 * After the chatbot: run its tool calls, or hand the finished turn to the recorder.
 * @param reply the chatbot's last message
 */
export function routeAfterChatbot(reply: BaseMessage | undefined): typeof TOOL_EXECUTOR | typeof SESSION_RECORDER {
  return (reply as AIMessage | undefined)?.tool_calls?.length ? TOOL_EXECUTOR : SESSION_RECORDER;
}

/**
 * After the recorder: learn when due, else the run is over.
 * @param learningDue whether a session ended and k are waiting
 */
export function routeAfterRecorder(learningDue: boolean): typeof PERSONA_UPDATE | typeof END {
  return learningDue ? PERSONA_UPDATE : END;
}
