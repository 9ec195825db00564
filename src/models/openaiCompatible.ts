import { ChatOpenAI } from "@langchain/openai";

export const DEFAULT_MODEL = "gpt-4o-mini";

/** A configuration problem the user fixes by setting something; the CLI prints it as one line. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}

export interface ChatModelSettings {
  /** Model name; default from PERSONA_MODEL, else gpt-4o-mini. */
  model?: string;
  /** Environment to read (default process.env). */
  env?: NodeJS.ProcessEnv;
  temperature?: number;
}

/** Which model and endpoint the environment selects, without creating a client. */
export function resolveModelEndpoint(settings: ChatModelSettings = {}) {
  const env = settings.env ?? process.env;
  const baseURL = env.OPENAI_BASE_URL?.trim() || undefined;
  const apiKey = env.OPENAI_API_KEY?.trim() || undefined;
  if (!baseURL && !apiKey) {
    throw new ConfigurationError(
      "no model endpoint: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (an OpenAI-compatible server such as Ollama, vLLM or llama.cpp)",
    );
  }
  return {
    model: settings.model?.trim() || env.PERSONA_MODEL?.trim() || DEFAULT_MODEL,
    baseURL,
    // Local OpenAI-compatible servers accept any key, but the client requires one.
    apiKey: apiKey ?? "not-needed",
  };
}

/** A ChatOpenAI client for OpenAI or any OpenAI-compatible endpoint, configured from the environment. */
export function createChatModelFromEnv(settings: ChatModelSettings = {}): ChatOpenAI {
  const endpoint = resolveModelEndpoint(settings);
  return new ChatOpenAI({
    model: endpoint.model,
    apiKey: endpoint.apiKey,
    configuration: endpoint.baseURL ? { baseURL: endpoint.baseURL } : undefined,
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    maxRetries: 2,
  });
}
