export { ScriptedChatModel } from "./scriptedChatModel.js";
export type { ScriptedCall, ScriptedReply, ScriptedChatModelOptions } from "./scriptedChatModel.js";
export { startMockOpenAIServer, contentText } from "./mockOpenAIServer.js";
export type { MockChatRequest, MockHandler, MockOpenAIServer, MockReply, MockToolCall } from "./mockOpenAIServer.js";
