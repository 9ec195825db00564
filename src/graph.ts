// Advanced graph wiring: node names, routes, reducers, state annotations and node factories,
// for building a custom graph around the persona nodes. Most apps need only createPersonaGraph (root entry).
export { PERSONA_UPDATE, PERSONALIZED_CHATBOT, SESSION_MANAGER, SESSION_RECORDER, TOOL_EXECUTOR } from "./graph/routes.js";
export { routeAfterSessionManager, routeAfterChatbot, routeAfterRecorder } from "./graph/routes.js";
export { PersonaGraphAnnotation, PersonaGraphZodState, personaInputSchema, personaMessagesReducer } from "./graph/state.js";
export { createSessionManagerNode } from "./graph/nodes/sessionManager.js";
export { createPersonalizedChatbotNode } from "./graph/nodes/personalizedChatbot.js";
export { createSessionRecorderNode } from "./graph/nodes/sessionRecorder.js";
export { createPersonaUpdateNode } from "./graph/nodes/personaUpdate.js";
export { resolveUserId, resolveThreadId } from "./graph/context.js";
export { checkMessageText, DEFAULT_MAX_MESSAGE_CHARS } from "./graph/input.js";
