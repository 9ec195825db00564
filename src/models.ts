// Chat models from the environment (OPENAI_API_KEY, OPENAI_BASE_URL, PERSONA_MODEL).
export { createChatModelFromEnv, resolveModelEndpoint, ConfigurationError, DEFAULT_MODEL } from "./models/openaiCompatible.js";
export type { ChatModelSettings } from "./models/openaiCompatible.js";
