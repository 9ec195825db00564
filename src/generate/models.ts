import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import { ConfigurationError, DEFAULT_MODEL } from "../models/openaiCompatible.js";
import { GENERATE_ROLES, type GenerateRole } from "./cost.js";

/**
 * Endpoint and model of one role.
 * @example
 * const checker: GenerateRoleSettings = { model: "gpt-4o", apiKey: process.env.OPENAI_API_KEY!, temperature: 0 };
 */
export interface GenerateRoleSettings {
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
 * Endpoint and model of both generation roles.
 * @example
 * const settings: GenerateModelSettings = resolveGenerateModels({}, process.env);
 */
export type GenerateModelSettings = Record<GenerateRole, GenerateRoleSettings>;

/**
 * What the command line says for a role (`--<role>-model`, `--<role>-base-url`).
 * @example
 * resolveGenerateModels({ checker: { model: "gpt-4o" } satisfies GenerateRoleFlags }, process.env);
 */
export interface GenerateRoleFlags {
  model?: string;
  baseURL?: string;
}

/**
 * Environment prefix of each role: GENERATE_GENERATOR_MODEL, GENERATE_CHECKER_BASE_URL, ...
 * @example
 * process.env[`${GENERATE_ROLE_ENV.checker}_MODEL`]; // GENERATE_CHECKER_MODEL
 */
export const GENERATE_ROLE_ENV: Record<GenerateRole, string> = {
  generator: "GENERATE_GENERATOR",
  checker: "GENERATE_CHECKER",
};

/** The checker reviews at temperature 0 for repeatable verdicts; the generator keeps the model's default (diversity). */
const DEFAULT_TEMPERATURE: Partial<Record<GenerateRole, number>> = { checker: 0 };

const clean = (value: string | undefined) => value?.trim() || undefined;

function temperature(role: GenerateRole, value: string | undefined): number | undefined {
  const text = clean(value);
  if (text === undefined) return DEFAULT_TEMPERATURE[role];
  if (text === "default") return undefined;
  const number = Number(text);
  if (!Number.isFinite(number) || number < 0 || number > 2) {
    throw new ConfigurationError(`${GENERATE_ROLE_ENV[role]}_TEMPERATURE must be a number from 0 to 2, or "default"; got "${text}"`);
  }
  return number;
}

/**
 * Resolves each role's endpoint like `persona bench` does: the role's flag,
 * else GENERATE_<ROLE>_MODEL / _BASE_URL / _API_KEY / _TEMPERATURE, else
 * (checker only) the generator's settings, else OPENAI_BASE_URL /
 * OPENAI_API_KEY / PERSONA_MODEL.
 *
 * @param flags - Per-role flags from the command line.
 * @param env - The environment. @default process.env
 * @returns Settings of both roles.
 * @throws ConfigurationError naming what to set when a role has no endpoint.
 * @example
 * resolveGenerateModels({ checker: { model: "gpt-4o" } }, { OPENAI_API_KEY: "sk-..." }).checker.model; // "gpt-4o"
 */
export function resolveGenerateModels(
  flags: Partial<Record<GenerateRole, GenerateRoleFlags>> = {},
  env: NodeJS.ProcessEnv = process.env,
): GenerateModelSettings {
  const resolveRole = (role: GenerateRole, fallback?: GenerateRoleSettings): GenerateRoleSettings => {
    const prefix = GENERATE_ROLE_ENV[role];
    const baseURL = clean(flags[role]?.baseURL) ?? clean(env[`${prefix}_BASE_URL`]) ?? fallback?.baseURL ?? clean(env.OPENAI_BASE_URL);
    const apiKey = clean(env[`${prefix}_API_KEY`]) ?? fallback?.apiKey ?? clean(env.OPENAI_API_KEY);
    if (!baseURL && (!apiKey || apiKey === "not-needed")) {
      throw new ConfigurationError(
        `no endpoint for the ${role} model: set ${prefix}_BASE_URL or OPENAI_BASE_URL (any OpenAI-compatible server), or ${prefix}_API_KEY / OPENAI_API_KEY for OpenAI`,
      );
    }
    const model = clean(flags[role]?.model) ?? clean(env[`${prefix}_MODEL`]) ?? fallback?.model ?? clean(env.PERSONA_MODEL) ?? DEFAULT_MODEL;
    const t = temperature(role, env[`${prefix}_TEMPERATURE`]);
    return { model, baseURL, apiKey: apiKey ?? "not-needed", ...(t !== undefined ? { temperature: t } : {}) };
  };
  const generator = resolveRole("generator");
  return { generator, checker: resolveRole("checker", generator) };
}

/**
 * ChatOpenAI clients for the resolved settings.
 *
 * @param settings - From `resolveGenerateModels`.
 * @param maxRetries - HTTP retries per call. @default 3
 * @returns One model per role.
 * @example
 * const { generator, checker } = generateModels(resolveGenerateModels());
 */
export function generateModels(settings: GenerateModelSettings, maxRetries = 3): Record<GenerateRole, BaseChatModel> {
  const out = {} as Record<GenerateRole, BaseChatModel>;
  for (const role of GENERATE_ROLES) {
    const s = settings[role];
    out[role] = new ChatOpenAI({
      model: s.model,
      apiKey: s.apiKey,
      configuration: s.baseURL ? { baseURL: s.baseURL } : undefined,
      ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
      maxRetries,
    });
  }
  return out;
}

/**
 * Settings without secrets, for the log and the report.
 *
 * @param settings - From `resolveGenerateModels`.
 * @returns Model name and endpoint of each role.
 * @example
 * describeGenerateModels(settings).generator; // { model: "gpt-4o-mini", baseURL: "https://api.openai.com/v1" }
 */
export function describeGenerateModels(settings: GenerateModelSettings): Record<GenerateRole, { model: string; baseURL: string }> {
  const out = {} as Record<GenerateRole, { model: string; baseURL: string }>;
  for (const role of GENERATE_ROLES) out[role] = { model: settings[role].model, baseURL: settings[role].baseURL ?? "https://api.openai.com/v1" };
  return out;
}
