import { ChatOpenAI } from "@langchain/openai";

/**
 * The model used when neither the settings nor PERSONA_MODEL name one.
 * @example
 * resolveModelEndpoint({ env: { OPENAI_API_KEY: "sk-..." } }).model === DEFAULT_MODEL; // "gpt-4o-mini"
 */
export const DEFAULT_MODEL = "gpt-4o-mini";

/**
 * A configuration problem the user fixes by setting something; the CLI prints it as one line.
 * @example
 * try {
 *   createChatModelFromEnv({ env: {} });
 * } catch (error) {
 *   if (error instanceof ConfigurationError) console.error(error.message); // "no model endpoint: set OPENAI_API_KEY ..."
 * }
 */
export class ConfigurationError extends Error {
  /**
   * @param message - what to set, in one line
   */
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}

/**
 * Settings of {@link createChatModelFromEnv} and {@link resolveModelEndpoint}.
 * @example
 * const model = createChatModelFromEnv({ model: "gpt-4o", temperature: 0 } satisfies ChatModelSettings);
 */
export interface ChatModelSettings {
  /**
   * Model name.
   * @default PERSONA_MODEL, else "gpt-4o-mini"
   */
  model?: string;
  /**
   * Environment to read (OPENAI_API_KEY, OPENAI_BASE_URL, PERSONA_MODEL).
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Sampling temperature.
   * @default the client's default
   */
  temperature?: number;
}

/**
 * Which model and endpoint the environment selects, without creating a client.
 * Throws ConfigurationError when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set.
 * @param settings - the model name and the environment to read
 * @returns the model name, the base URL (undefined: OpenAI) and the API key ("not-needed" for a local server without one)
 * @example
 * resolveModelEndpoint({ env: { OPENAI_BASE_URL: "http://localhost:11434/v1" } });
 * // { model: "gpt-4o-mini", baseURL: "http://localhost:11434/v1", apiKey: "not-needed" }
 */
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

/**
 * A ChatOpenAI client for OpenAI or any OpenAI-compatible endpoint, configured from the environment.
 * Throws ConfigurationError when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set.
 * @param settings - the model name, the environment to read and the temperature
 * @returns the chat model (two retries)
 * @example
 * const model = createChatModelFromEnv(); // OPENAI_API_KEY or OPENAI_BASE_URL, PERSONA_MODEL
 */
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
