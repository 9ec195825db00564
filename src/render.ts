// Rendering a persona for a prompt, token counting, message text and prompt templates.
export { renderPersona } from "./render/renderPersona.js";
export { renderPersonaBlock, PERSONA_BLOCK_MAX_TOKENS } from "./render/personaBlock.js";
export type { PersonaBlockOptions, RenderedPersonaBlock } from "./render/personaBlock.js";
export type { OmittedValue } from "./render/renderableValues.js";
export { buildChatbotSystemPrompt } from "./graph/nodes/personalizedChatbot.js";
export { countTokens, estimateTokens } from "./render/tokens.js";
export { messageText } from "./render/messageText.js";
export { formatPrompt } from "./prompts/formatPrompt.js";
export { countWords, PERSONA_FORMAT_KEY } from "./schema/formats.js";
export type { PersonaFormat } from "./schema/formats.js";
