import { AIMessage } from "@langchain/core/messages";
import type { ScriptedCall } from "../../src/testing/index.js";

/** A learner reply that calls update_persona with the given changes. */
export function updateCall(changes: unknown[], id = "call_update"): AIMessage {
  return new AIMessage({
    content: "",
    tool_calls: [{ id, name: "update_persona", args: { changes }, type: "tool_call" }],
  });
}

/** True for calls made by the learner (update_persona bound). */
export function isLearnerCall(call: ScriptedCall): boolean {
  return call.tools.includes("update_persona");
}

/** The system prompt text of a recorded call. */
export function systemPromptOf(call: ScriptedCall): string {
  const first = call.messages[0];
  return first?.getType() === "system" ? String(first.content) : "";
}
