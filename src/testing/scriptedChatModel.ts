import { BaseChatModel, type BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import type { BindToolsInput } from "@langchain/core/language_models/chat_models";
import type { Runnable } from "@langchain/core/runnables";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";

/**
 * One call the scripted model received.
 * @example
 * const lastCall: ScriptedCall | undefined = model.calls.at(-1);
 */
export interface ScriptedCall {
  messages: BaseMessage[];
  /** Names of the tools bound for this call. */
  tools: string[];
  toolChoice?: unknown;
}

/**
 * A scripted reply: text, a full AIMessage (e.g. with tool_calls), or a function of the call.
 * @example
 * const replies: ScriptedReply[] = ["hello", new AIMessage({ content: "", tool_calls: [{ name: "update_persona", args: { changes: [] }, id: "1" }] })];
 */
export type ScriptedReply = string | AIMessage | ((call: ScriptedCall) => string | AIMessage);

/**
 * Options of {@link ScriptedChatModel}: the replies in order, plus LangChain's chat model parameters.
 * @example
 * const model = new ScriptedChatModel({ replies: ["hi"], repeatLast: true } satisfies ScriptedChatModelOptions);
 */
export interface ScriptedChatModelOptions extends BaseChatModelParams {
  /** Replies in order; a function reply may stay at the end to answer every further call. */
  replies: ScriptedReply[];
  /**
   * Keep answering with the last reply when the list runs out; false: throw.
   * @default false
   */
  repeatLast?: boolean;
  /**
   * Milliseconds each call waits before it answers, like a model endpoint would.
   * @default 0
   */
  latencyMs?: number;
}

interface Script {
  replies: ScriptedReply[];
  repeatLast: boolean;
  latencyMs: number;
  position: number;
  calls: ScriptedCall[];
}

function toolName(tool: BindToolsInput): string {
  const candidate = tool as { name?: string; function?: { name?: string } };
  return candidate.name ?? candidate.function?.name ?? "unknown";
}

/**
 * A chat model that replays scripted replies, including tool calls (which the
 * built-in fake models cannot emit). `bindTools` returns a model sharing the
 * same script, so every call is recorded in `calls`.
 * @example
 * const model = new ScriptedChatModel({ replies: ["Hello!"] });
 * await model.invoke("hi"); // AIMessage "Hello!"
 * model.calls.length; // 1
 */
export class ScriptedChatModel extends BaseChatModel {
  private readonly script: Script;
  private readonly boundTools: string[];
  private readonly toolChoice: unknown;

  /**
   * @param options - the replies and chat model parameters
   * @param shared - internal: the script a bound copy shares with its original (omit)
   */
  constructor(options: ScriptedChatModelOptions, shared?: { script: Script; tools: string[]; toolChoice?: unknown }) {
    super(options);
    this.script = shared?.script ?? {
      replies: [...options.replies],
      repeatLast: options.repeatLast ?? false,
      latencyMs: options.latencyMs ?? 0,
      position: 0,
      calls: [],
    };
    this.boundTools = shared?.tools ?? [];
    this.toolChoice = shared?.toolChoice;
  }

  _llmType(): string {
    return "scripted";
  }

  /** Every call received so far, in order, across bound copies. */
  get calls(): ScriptedCall[] {
    return this.script.calls;
  }

  /** Replies not used yet. */
  get remaining(): number {
    return Math.max(0, this.script.replies.length - this.script.position);
  }

  /**
   * A copy bound to these tools, sharing this model's script and call log.
   * @param tools - the tools; only their names are recorded
   * @param kwargs - call options; `tool_choice` is recorded
   * @returns the bound copy
   * @example
   * const bound = model.bindTools([updatePersonaTool(fields)]);
   */
  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Record<string, unknown>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk> {
    return new ScriptedChatModel(
      { replies: [] },
      { script: this.script, tools: tools.map(toolName), toolChoice: kwargs?.tool_choice },
    ) as unknown as Runnable<BaseLanguageModelInput, AIMessageChunk>;
  }

  private next(call: ScriptedCall): AIMessage {
    const { script } = this;
    let reply: ScriptedReply | undefined = script.replies[script.position];
    if (reply === undefined && script.repeatLast && script.replies.length > 0) {
      reply = script.replies[script.replies.length - 1];
    } else if (reply !== undefined) {
      script.position++;
    }
    if (reply === undefined) {
      throw new Error(`ScriptedChatModel ran out of replies after ${script.calls.length - 1} calls`);
    }
    const value = typeof reply === "function" ? reply(call) : reply;
    return typeof value === "string" ? new AIMessage(value) : value;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const call: ScriptedCall = { messages, tools: this.boundTools, toolChoice: this.toolChoice };
    this.script.calls.push(call);
    if (this.script.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.script.latencyMs));
    const message = this.next(call);
    const text = typeof message.content === "string" ? message.content : "";
    return { generations: [{ message, text }] };
  }
}
