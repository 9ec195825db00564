import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import { END } from "@langchain/langgraph";

/**
 * Node that opens a turn: thread owner, persona and session ledger.
 * @example
 * graph.addNode(SESSION_MANAGER, createSessionManagerNode(settings), { ends: [PERSONALIZED_CHATBOT, SESSION_RECORDER] });
 */
export const SESSION_MANAGER = "session_manager";
/**
 * Node that answers with the persona in the system prompt.
 * @example
 * graph.addNode(PERSONALIZED_CHATBOT, createPersonalizedChatbotNode(settings), { ends: [TOOL_EXECUTOR, SESSION_RECORDER] });
 */
export const PERSONALIZED_CHATBOT = "personalized_chatbot";
/**
 * Node that runs the chatbot's tool calls (a LangGraph ToolNode).
 * @example
 * graph.addNode(TOOL_EXECUTOR, new ToolNode(tools)).addEdge(TOOL_EXECUTOR, PERSONALIZED_CHATBOT);
 */
export const TOOL_EXECUTOR = "tools";
/**
 * Node that saves the turn and decides whether learning is due.
 * @example
 * graph.addNode(SESSION_RECORDER, createSessionRecorderNode(settings), { ends: [PERSONA_UPDATE, END] });
 */
export const SESSION_RECORDER = "session_recorder";
/**
 * Node that learns the persona from ended sessions.
 * @example
 * graph.addNode(PERSONA_UPDATE, createPersonaUpdateNode(settings)).addEdge(PERSONA_UPDATE, END);
 */
export const PERSONA_UPDATE = "persona_update";

/**
 * Where a turn goes after it is opened: to the chatbot when it has new input,
 * else (an end-only input) straight to the recorder.
 * @param turnStart the index of the turn's input, or null when there is none
 * @returns PERSONALIZED_CHATBOT or SESSION_RECORDER
 * @example
 * routeAfterSessionManager(null); // "session_recorder"
 */
export function routeAfterSessionManager(turnStart: number | null): typeof PERSONALIZED_CHATBOT | typeof SESSION_RECORDER {
  return turnStart !== null ? PERSONALIZED_CHATBOT : SESSION_RECORDER;
}

/**
 * After the chatbot: run its tool calls, or hand the finished turn to the recorder.
 * @param reply the chatbot's last message
 * @returns TOOL_EXECUTOR when the reply has tool calls, else SESSION_RECORDER
 * @example
 * routeAfterChatbot(new AIMessage("hi")); // "session_recorder"
 */
export function routeAfterChatbot(reply: BaseMessage | undefined): typeof TOOL_EXECUTOR | typeof SESSION_RECORDER {
  return (reply as AIMessage | undefined)?.tool_calls?.length ? TOOL_EXECUTOR : SESSION_RECORDER;
}

/**
 * After the recorder: learn when due, else the run is over.
 * @param learningDue whether a session ended and k are waiting
 * @returns PERSONA_UPDATE or END
 * @example
 * routeAfterRecorder(true); // "persona_update"
 */
export function routeAfterRecorder(learningDue: boolean): typeof PERSONA_UPDATE | typeof END {
  return learningDue ? PERSONA_UPDATE : END;
}
