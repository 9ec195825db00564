export { ScriptedChatModel } from "./scriptedChatModel.js";
export type { ScriptedCall, ScriptedReply, ScriptedChatModelOptions } from "./scriptedChatModel.js";
export { startMockOpenAIServer, contentText } from "./mockOpenAIServer.js";
export type { MockChatRequest, MockHandler, MockOpenAIServer, MockReply, MockToolCall } from "./mockOpenAIServer.js";
export {
  isSemanticGuardCall,
  isSemanticGuardRequest,
  semanticGuardMockReply,
  semanticGuardScriptedReply,
} from "./semanticGuardReplies.js";
export type { GuardClassifier, GuardEntryShown } from "./semanticGuardReplies.js";
