import { AIMessage } from "@langchain/core/messages";
import { SEMANTIC_GUARD_TOOL } from "../guard/semantic.js";
import type { SemanticLabel } from "../guard/verdict.js";
import { contentText, type MockChatRequest, type MockReply } from "./mockOpenAIServer.js";
import type { ScriptedCall } from "./scriptedChatModel.js";

/**
 * One entry the semantic guard asked about, as read back from its prompt.
 * @example
 * const classify = (entry: GuardEntryShown) => (entry.field.startsWith("Preference") ? "instructs_assistant" : "describes_user");
 */
export interface GuardEntryShown {
  id: number;
  field: string;
  value: unknown;
  evidence?: string;
}

/**
 * Decides a label for one entry; the default says every entry describes the user.
 * @example
 * const classify: GuardClassifier = (entry) => (String(entry.value).includes("ignore") ? "instructs_assistant" : "describes_user");
 */
export type GuardClassifier = (entry: GuardEntryShown) => SemanticLabel;

function entriesIn(text: string): GuardEntryShown[] {
  const entries: GuardEntryShown[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(line) as GuardEntryShown;
      if (typeof parsed.id === "number") entries.push(parsed);
    } catch {
      // not an entry line
    }
  }
  return entries;
}

function verdictsFor(text: string, classify: GuardClassifier) {
  return { verdicts: entriesIn(text).map((entry) => ({ id: entry.id, label: classify(entry), reason: "scripted verdict" })) };
}

/**
 * True when an OpenAI-style request is the semantic guard's call (its verdict tool is bound).
 * @param request - the request the mock server received
 * @returns true for the guard's call
 * @example
 * const handler: MockHandler = (request) => (isSemanticGuardRequest(request) ? semanticGuardMockReply(request)! : { content: "hi" });
 */
export function isSemanticGuardRequest(request: MockChatRequest): boolean {
  return Boolean(request.tools?.some((tool) => tool.function.name === SEMANTIC_GUARD_TOOL));
}

/**
 * A mock-server reply to the semantic guard's call: one verdict per entry of
 * its prompt. Use it in a `MockHandler` before your other roles.
 *
 * @param request The request the mock server received.
 * @param classify The label per entry (default: "describes_user" for all).
 * @returns The reply, or undefined when the request is not the guard's call.
 * @example
 * const server = await startMockOpenAIServer((request) => semanticGuardMockReply(request) ?? myHandler(request));
 */
export function semanticGuardMockReply(request: MockChatRequest, classify: GuardClassifier = () => "describes_user"): MockReply | undefined {
  if (!isSemanticGuardRequest(request)) return undefined;
  const text = request.messages.map((message) => contentText(message.content)).join("\n");
  return { toolCalls: [{ name: SEMANTIC_GUARD_TOOL, arguments: verdictsFor(text, classify) }] };
}

/**
 * True when a `ScriptedChatModel` call is the semantic guard's call.
 * @param call - a call recorded by a ScriptedChatModel
 * @returns true for the guard's call
 * @example
 * const learnerCalls = model.calls.filter((call) => !isSemanticGuardCall(call));
 */
export function isSemanticGuardCall(call: ScriptedCall): boolean {
  return call.tools.includes(SEMANTIC_GUARD_TOOL);
}

/**
 * A `ScriptedChatModel` reply to the semantic guard's call: one verdict per entry.
 *
 * @param call The call the scripted model received.
 * @param classify The label per entry (default: "describes_user" for all).
 * @returns An AIMessage calling the guard's verdict tool.
 * @example
 * const model = new ScriptedChatModel({ replies: [learnerReply, (call) => semanticGuardScriptedReply(call)] });
 */
export function semanticGuardScriptedReply(call: ScriptedCall, classify: GuardClassifier = () => "describes_user"): AIMessage {
  const text = call.messages.map((message) => (typeof message.content === "string" ? message.content : JSON.stringify(message.content))).join("\n");
  return new AIMessage({
    content: "",
    tool_calls: [{ id: "call_verdicts", name: SEMANTIC_GUARD_TOOL, type: "tool_call", args: verdictsFor(text, classify) }],
  });
}
