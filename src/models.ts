// The models entry point (`langgraph-persona/models`): chat models from the environment.
export { createChatModelFromEnv } from "./models/openaiCompatible.js";
