import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import type { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { type BenchRole, type BenchModelFactory, mockBenchHandler } from "../../../src/bench.js";
import type { MockChatRequest, MockReply } from "../../../src/testing/index.js";
import { messageText } from "../../../src/render.js";

type OpenAITool = ReturnType<typeof convertToOpenAITool>;

/** One call a role model received. */
export interface RoleCall {
  role: BenchRole;
  messages: BaseMessage[];
  tools: OpenAITool[];
}

export type RoleScript = (call: RoleCall) => string | AIMessage | Promise<string | AIMessage>;

interface CallOptions extends BaseChatModelCallOptions {
  tools?: OpenAITool[];
}

function toRequest(call: RoleCall): MockChatRequest {
  const roleOf = (m: BaseMessage) =>
    ({ system: "system", human: "user", ai: "assistant", tool: "tool" })[m.getType() as "system"] ?? "user";
  return {
    model: "scripted",
    messages: call.messages.map((m) => ({
      role: roleOf(m),
      content: messageText(m),
      ...(m.getType() === "ai" && (m as AIMessage).tool_calls?.length ? { tool_calls: (m as AIMessage).tool_calls } : {}),
    })),
    tools: call.tools.length ? (call.tools as MockChatRequest["tools"]) : undefined,
  };
}

function fromReply(reply: MockReply, n: number): AIMessage {
  return new AIMessage({
    content: reply.content ?? "",
    tool_calls: (reply.toolCalls ?? []).map((tc, i) => ({
      id: `call_${n}_${i}`,
      name: tc.name,
      args: typeof tc.arguments === "string" ? JSON.parse(tc.arguments) : tc.arguments,
      type: "tool_call" as const,
    })),
  });
}

let counter = 0;

/** Plays a role with the deterministic handler used by the mock server, in process. */
export const defaultScript: RoleScript = async (call) => fromReply(await mockBenchHandler(toRequest(call)), ++counter);

/**
 * A chat model for one benchmark role whose replies come from a script. Tools
 * are bound through call options (like ChatOpenAI), so the model's own
 * callbacks (cost counting) stay attached; replies carry usage metadata.
 */
export class RoleScriptedModel extends BaseChatModel<CallOptions> {
  constructor(
    private readonly role: BenchRole,
    private readonly script: RoleScript,
    private readonly log: RoleCall[],
    callbacks: BaseCallbackHandler[],
  ) {
    super({ callbacks });
  }

  _llmType(): string {
    return "role-scripted";
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<CallOptions>) {
    return this.withConfig({ tools: tools.map((t) => convertToOpenAITool(t)), ...kwargs } as Partial<CallOptions>);
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const call: RoleCall = { role: this.role, messages, tools: options.tools ?? [] };
    this.log.push(call);
    const out = await this.script(call);
    const message = typeof out === "string" ? new AIMessage(out) : out;
    const input = Math.ceil(messages.map(messageText).join("").length / 4);
    const output = Math.ceil((messageText(message).length + JSON.stringify(message.tool_calls ?? []).length) / 4);
    message.usage_metadata = { input_tokens: input, output_tokens: output, total_tokens: input + output };
    return { generations: [{ message, text: messageText(message) }] };
  }
}

/** A model factory for runBench: every role scripted (default: the mock handler), every call logged. */
export function scriptedFactory(overrides: Partial<Record<BenchRole, RoleScript>> = {}) {
  const calls: RoleCall[] = [];
  const factory: BenchModelFactory = (role, callbacks) =>
    new RoleScriptedModel(role, overrides[role] ?? defaultScript, calls, callbacks);
  return { factory, calls };
}

export const MODEL_INFO = Object.fromEntries(
  (["chatbot", "learner", "user", "tool", "judge"] as const).map((role) => [role, { model: "scripted", baseURL: "in-process" }]),
) as Record<BenchRole, { model: string; baseURL: string }>;

/** The system prompt of a recorded call. */
export function systemOf(call: RoleCall): string {
  const first = call.messages[0];
  return first?.getType() === "system" ? messageText(first) : "";
}
