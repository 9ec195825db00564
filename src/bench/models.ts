import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { ChatOpenAI } from "@langchain/openai";
import { ConfigurationError, DEFAULT_MODEL } from "../models.js";
import type { BenchRole } from "./cost.js";

/**
 * Endpoint and model of one role.
 * @example
 * const judge: RoleModelSettings = { model: "gpt-4o", apiKey: process.env.OPENAI_API_KEY!, temperature: 0 };
 */
export interface RoleModelSettings {
  model: string;
  /**
   * OpenAI-compatible endpoint.
   * @default OpenAI's API
   */
  baseURL?: string;
  apiKey: string;
  /**
   * Sampling temperature; undefined: none sent.
   * @default the endpoint's default
   */
  temperature?: number;
}

/**
 * Endpoint and model of every role.
 * @example
 * const settings: BenchModelSettings = resolveBenchModels({}, process.env);
 */
export type BenchModelSettings = Record<BenchRole, RoleModelSettings>;

/**
 * Creates a fresh chat model for a role with the given callbacks (cost and
 * failure counting: attach them to the model itself).
 *
 * @example
 * ```ts no-run
 * const factory: BenchModelFactory = (role, callbacks) => new ChatOpenAI({ model: "gpt-4o", callbacks });
 * ```
 */
export type BenchModelFactory = (role: BenchRole, callbacks: BaseCallbackHandler[]) => BaseChatModel;

export interface RoleFlags {
  model?: string;
  baseURL?: string;
}

/** Environment prefix of each role: BENCH_CHATBOT_MODEL, BENCH_USER_BASE_URL, ... */
export const ROLE_ENV: Record<BenchRole, string> = {
  chatbot: "BENCH_CHATBOT",
  learner: "BENCH_LEARNER",
  user: "BENCH_USER",
  tool: "BENCH_TOOL",
  judge: "BENCH_JUDGE",
};

/** Judges and the tool simulator run at temperature 0 for repeatable scores. */
const DEFAULT_TEMPERATURE: Partial<Record<BenchRole, number>> = { judge: 0, tool: 0 };

/**
 * Options of `resolveBenchModels`.
 * @example
 * resolveBenchModels({}, process.env, { temperatures: { user: 0.9 } } satisfies ResolveBenchModelsOptions);
 */
export interface ResolveBenchModelsOptions {
  /**
   * Temperatures used when BENCH_<ROLE>_TEMPERATURE is not set, over the
   * built-in ones (judge and tool 0). The release protocol sets the user's to 0.9.
   * @default {}
   */
  temperatures?: Partial<Record<BenchRole, number>>;
}

const clean = (value: string | undefined) => value?.trim() || undefined;

/** BENCH_<ROLE>_TEMPERATURE: a number, or "default" to send none (for models that reject it). */
function resolveTemperature(
  role: BenchRole,
  value: string | undefined,
  defaults: Partial<Record<BenchRole, number>>,
): number | undefined {
  const text = clean(value);
  if (text === undefined) return defaults[role];
  if (text === "default") return undefined;
  const number = Number(text);
  if (!Number.isFinite(number) || number < 0 || number > 2) {
    throw new ConfigurationError(`${ROLE_ENV[role]}_TEMPERATURE must be a number from 0 to 2, or "default"; got "${text}"`);
  }
  return number;
}

/**
 * Resolves every role's endpoint: the role's flag, else BENCH_<ROLE>_*, else
 * (learner only) the chatbot's settings, else OPENAI_BASE_URL / OPENAI_API_KEY /
 * PERSONA_MODEL. Throws a ConfigurationError naming what to set when a role has
 * no endpoint.
 *
 * @param flags - Per-role `--<role>-model` / `--<role>-base-url` values.
 * @param env - The environment to read. @default process.env
 * @param options - Default temperatures (see ResolveBenchModelsOptions).
 * @returns Model, endpoint, key and temperature of every role.
 * @example
 * ```ts no-run
 * const settings = resolveBenchModels({ user: { model: "gpt-4o" } }, process.env, { temperatures: { user: 0.9 } });
 * const models = openAICompatibleFactory(settings);
 * ```
 */
export function resolveBenchModels(
  flags: Partial<Record<BenchRole, RoleFlags>> = {},
  env: NodeJS.ProcessEnv = process.env,
  options: ResolveBenchModelsOptions = {},
): BenchModelSettings {
  return resolveRoleModels(["chatbot", "learner", "user", "tool", "judge"], flags, env, options) as BenchModelSettings;
}

/**
 * Resolves the endpoints of the given roles only, as `resolveBenchModels`
 * does (a suite that never calls a role needs no endpoint for it). The
 * learner falls back to the chatbot's settings when the chatbot is resolved too.
 *
 * @param roles - The roles to resolve.
 * @param flags - Per-role `--<role>-model` / `--<role>-base-url` values.
 * @param env - The environment to read. @default process.env
 * @param options - Default temperatures (see ResolveBenchModelsOptions).
 * @returns Model, endpoint, key and temperature of each given role.
 * @example
 * ```ts no-run
 * const settings = resolveRoleModels(["chatbot", "learner", "judge"], {}, process.env);
 * ```
 */
export function resolveRoleModels(
  roles: readonly BenchRole[],
  flags: Partial<Record<BenchRole, RoleFlags>> = {},
  env: NodeJS.ProcessEnv = process.env,
  options: ResolveBenchModelsOptions = {},
): Partial<BenchModelSettings> {
  const temperatures = { ...DEFAULT_TEMPERATURE, ...options.temperatures };
  const resolveRole = (role: BenchRole, fallback?: RoleModelSettings): RoleModelSettings => {
    const prefix = ROLE_ENV[role];
    const baseURL = clean(flags[role]?.baseURL) ?? clean(env[`${prefix}_BASE_URL`]) ?? fallback?.baseURL ?? clean(env.OPENAI_BASE_URL);
    const apiKey = clean(env[`${prefix}_API_KEY`]) ?? fallback?.apiKey ?? clean(env.OPENAI_API_KEY);
    if (!baseURL && (!apiKey || apiKey === "not-needed")) {
      throw new ConfigurationError(
        `no endpoint for the ${role} model: set ${prefix}_BASE_URL or OPENAI_BASE_URL (any OpenAI-compatible server), or ${prefix}_API_KEY / OPENAI_API_KEY for OpenAI`,
      );
    }
    const model =
      clean(flags[role]?.model) ?? clean(env[`${prefix}_MODEL`]) ?? fallback?.model ?? clean(env.PERSONA_MODEL) ?? DEFAULT_MODEL;
    const temperature = resolveTemperature(role, env[`${prefix}_TEMPERATURE`], temperatures);
    return { model, baseURL, apiKey: apiKey ?? "not-needed", ...(temperature !== undefined ? { temperature } : {}) };
  };
  const out: Partial<BenchModelSettings> = {};
  // The chatbot first: the learner falls back to it.
  for (const role of ["chatbot", "learner", "user", "tool", "judge"] as const) {
    if (!roles.includes(role)) continue;
    out[role] = role === "learner" ? resolveRole(role, out.chatbot) : resolveRole(role);
  }
  return out;
}

/**
 * A factory of ChatOpenAI clients, one per call, for the resolved settings.
 *
 * @param settings - From `resolveBenchModels`.
 * @param maxRetries - Retries of a failed request inside the client. @default 3
 * @returns A BenchModelFactory.
 * @example
 * ```ts no-run
 * const models = openAICompatibleFactory(resolveBenchModels(), 0);
 * ```
 */
export function openAICompatibleFactory(settings: Partial<BenchModelSettings>, maxRetries = 3): BenchModelFactory {
  return (role, callbacks) => {
    const s = settings[role];
    if (!s) throw new ConfigurationError(`no endpoint was resolved for the ${role} model`);
    return new ChatOpenAI({
      model: s.model,
      apiKey: s.apiKey,
      configuration: s.baseURL ? { baseURL: s.baseURL } : undefined,
      ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
      maxRetries,
      callbacks,
    });
  };
}

/**
 * Model name, endpoint and temperature of a role, without secrets (run records and reports).
 * @example
 * const info: RoleModelInfo = describeModels(settings).chatbot;
 */
export interface RoleModelInfo {
  model: string;
  baseURL: string;
  /** Undefined: none sent (the endpoint's default). */
  temperature?: number;
}

/**
 * Settings without secrets, for run records and reports.
 * @param settings - the roles' settings
 * @returns the same roles with model, endpoint and temperature only
 * @example
 * JSON.stringify(describeModels(resolveBenchModels({}, process.env))); // no API keys
 */
export function describeModels(settings: BenchModelSettings): Record<BenchRole, RoleModelInfo>;
export function describeModels(settings: Partial<BenchModelSettings>): Partial<Record<BenchRole, RoleModelInfo>>;
export function describeModels(settings: Partial<BenchModelSettings>): Partial<Record<BenchRole, RoleModelInfo>> {
  const out = {} as Record<BenchRole, RoleModelInfo>;
  for (const [role, s] of Object.entries(settings) as Array<[BenchRole, RoleModelSettings]>) {
    if (!s) continue;
    out[role] = {
      model: s.model,
      baseURL: s.baseURL ?? "https://api.openai.com/v1",
      ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
    };
  }
  return out;
}
