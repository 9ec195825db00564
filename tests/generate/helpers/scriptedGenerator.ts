import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import { mockGeneratorArguments } from "../../../src/generate/mockGenerateHandler.js";
import { ScriptedChatModel, type ScriptedCall } from "../../../src/testing/index.js";

let ids = 0;

export function promptOf(messages: BaseMessage[]): string {
  return messages.map((message) => (typeof message.content === "string" ? message.content : JSON.stringify(message.content))).join("\n");
}

/** A reply that calls `tool` with `args`. */
export function toolCall(tool: string, args: Record<string, unknown>): AIMessage {
  return new AIMessage({ content: "", tool_calls: [{ name: tool, args, id: `call_${++ids}`, type: "tool_call" }] });
}

/**
 * What a test changes in the mock's answer: return an AIMessage (sent as is),
 * arguments (sent as the tool call), or undefined (the mock's own answer).
 */
export type Override = (tool: string, prompt: string, call: ScriptedCall, nth: number) => AIMessage | Record<string, unknown> | undefined;

/**
 * A scripted model that answers every forced tool call like the mock server
 * does, with per-test overrides; `nth` counts calls of each tool from 1.
 */
export function scriptedGenerator(override?: Override): ScriptedChatModel {
  const counts = new Map<string, number>();
  return new ScriptedChatModel({
    repeatLast: true,
    replies: [
      (call) => {
        const tool = call.tools[0];
        if (!tool) throw new Error("the pipeline called a model without a tool");
        const nth = (counts.get(tool) ?? 0) + 1;
        counts.set(tool, nth);
        const prompt = promptOf(call.messages);
        const changed = override?.(tool, prompt, call, nth);
        if (changed instanceof AIMessage) return changed;
        return toolCall(tool, changed ?? mockGeneratorArguments(tool, prompt));
      },
    ],
  });
}
