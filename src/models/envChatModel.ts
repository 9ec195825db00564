import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { ChatGenerationChunk, ChatResult } from "@langchain/core/outputs";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { Runnable } from "@langchain/core/runnables";
import type { ChatOpenAI } from "@langchain/openai";
import { createChatModelFromEnv, type ChatModelSettings } from "./openaiCompatible.js";

type EnvChatModelCallOptions = BaseChatModelCallOptions & { tools?: BindToolsInput[]; [key: string]: unknown };

/**
 * An OpenAI-compatible chat model configured from the environment when it is
 * first called, not when it is created. Graph entry points that a server
 * imports (the LangGraph API server behind Studio) use it, so a missing
 * OPENAI_API_KEY / OPENAI_BASE_URL fails the run with a message saying what to
 * set, instead of failing the import (which leaves that server hanging).
 */
export class EnvChatModel extends BaseChatModel<EnvChatModelCallOptions> {
  private readonly settings: ChatModelSettings;
  private client: ChatOpenAI | undefined;

  constructor(settings: ChatModelSettings = {}) {
    super({});
    this.settings = settings;
  }

  _llmType(): string {
    return "env-openai-compatible";
  }

  /** The underlying client; throws ConfigurationError when no endpoint is configured. */
  resolve(): ChatOpenAI {
    this.client ??= createChatModelFromEnv(this.settings);
    return this.client;
  }

  // Tools travel as call options; ChatOpenAI converts them per request.
  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<EnvChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, EnvChatModelCallOptions> {
    return this.withConfig({ tools, ...kwargs } as Partial<EnvChatModelCallOptions>);
  }

  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const client = this.resolve();
    return client._generate(messages, options as ChatOpenAI["ParsedCallOptions"], runManager);
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const client = this.resolve();
    yield* client._streamResponseChunks(messages, options as ChatOpenAI["ParsedCallOptions"], runManager);
  }
}
