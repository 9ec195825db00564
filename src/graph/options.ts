import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { z } from "zod";
import type { BaseMessage } from "@langchain/core/messages";
import type { BaseStore } from "@langchain/langgraph";
import { defaultPersonaSchema } from "../schema/defaultSchema.js";
import { describePersonaFields, type PersonaField } from "../schema/fields.js";
import type { FieldPolicies, PersonaValueGuard } from "../learning/fieldPolicies.js";
import { poisoningGuard } from "../learning/guards.js";
import type { SemanticGuardSettings } from "../learning/semanticGate.js";
import { DEFAULT_MAX_MESSAGE_CHARS } from "./input.js";
import { CHATBOT_INSTRUCTIONS } from "../prompts/chatbotPrompt.js";
import { resolveRetention, type ResolvedRetention, type RetentionPolicy } from "../memory/retention.js";

/**
 * Options of {@link createPersonaGraph} and {@link createPersonaLearnerGraph}: the models, the
 * persona schema and how learning runs. Only `model` is required.
 * @example
 * const options: PersonaGraphOptions = { model: new ChatOpenAI({ model: "gpt-4o-mini" }), updateEvery: 3, learning: "inline" };
 */
export interface PersonaGraphOptions {
  /** The chat model that answers the user. */
  model: BaseChatModel;
  /**
   * The model that learns the persona (must support tool calling).
   * @default `model`
   */
  learnerModel?: BaseChatModel;
  /**
   * Tools the chatbot may call; run by the graph's tool executor.
   * @default [] (no tools)
   */
  tools?: StructuredToolInterface[];
  /**
   * The persona schema, a zod object.
   * @default defaultPersonaSchema (the paper's four-group persona)
   */
  schema?: z.ZodType;
  /**
   * Learn after this many ended, not yet learned sessions.
   * @default 3
   */
  updateEvery?: number;
  /**
   * Per-field limits for learned values (frozen fields, lengths).
   * @default {} (the default policy for every field)
   */
  fieldPolicies?: FieldPolicies;
  /**
   * Checks on every value the learner would store (run after the poisoning guard).
   * @default []
   */
  guards?: PersonaValueGuard[];
  /**
   * The structural poisoning guard (layer 1, src/guard/structural.ts): reject
   * values with hidden characters, encodings, links, markup, templates, role
   * tags or block markers.
   * @default true
   */
  poisoningGuard?: boolean;
  /**
   * The semantic guard (layer 3, src/guard/semantic.ts): during learning, a
   * model classifies each proposed value as describing the user or steering
   * the assistant; flagged values are rejected (or sent to review with
   * `review: true`), and each verdict is stored with its change. One extra
   * model call per learning run that has valid changes. `true` uses the
   * learner model; `{ model }` uses another one. When this option is not
   * given, `PERSONA_SEMANTIC_GUARD=off` turns it off.
   * @default true (unless PERSONA_SEMANTIC_GUARD=off)
   */
  semanticGuard?: boolean | { model?: BaseChatModel };
  /**
   * Pause each persona update for a person to approve, edit or reject the
   * proposed changes (LangGraph interrupt; needs a checkpointer).
   * @default false
   */
  review?: boolean;
  /**
   * Longest user message accepted, in characters; longer ones fail with a clear error.
   * @default 32000
   */
  maxMessageChars?: number;
  /**
   * Token budget of one session's transcript shown to the learner.
   * @default 2000
   */
  sessionBudgetTokens?: number;
  /**
   * Most sessions one learning run reads.
   * @default 10
   */
  maxSessionsPerLearning?: number;
  /**
   * Evidence must quote the user's own words.
   * @default true
   */
  requireEvidenceQuote?: boolean;
  /**
   * Replaces the chatbot's base instructions.
   * @default the built-in instructions (src/prompts/chatbotPrompt.ts)
   */
  instructions?: string;
  /**
   * Extra text for the chatbot's system prompt, computed per turn (for example
   * retrieved past sessions). Returning nothing adds nothing.
   * @default none
   */
  extraContext?: (input: ExtraContextInput) => Promise<string | undefined> | string | undefined;
  /**
   * "inline": learning runs in the graph when a session ends (after the reply).
   * "background": the graph only records sessions; run the learner graph yourself.
   * @default "inline"
   */
  learning?: "inline" | "background";
  /**
   * How much of each user's past is kept (see RetentionPolicy): superseded
   * checkpoints of learned threads, old transcripts, versions and learning
   * records are pruned after each learning run. `false` keeps everything.
   * @default { pruneCheckpoints: true, keepTranscripts: 20, keepSessions: 50, keepVersions: 20, keepLearningRecords: 50 }
   */
  retention?: RetentionPolicy | false;
  /**
   * Validate every node's state update against the state's zod schema (the
   * schema LangGraph Studio reads to show the state). Costs about half a
   * millisecond per node; the served graphs in graphs/ turn it on.
   * @default false
   */
  validateState?: boolean;
}

/**
 * What the `extraContext` option receives each turn: the user, the thread, the store and the thread's messages.
 * @example
 * const extraContext = async ({ userId, store }: ExtraContextInput) => (await store.get(["notes"], userId))?.value.text;
 */
export interface ExtraContextInput {
  userId: string;
  threadId: string;
  store: BaseStore;
  messages: BaseMessage[];
}

/**
 * Graph options after defaults and validation (the output of {@link resolvePersonaSettings});
 * also the settings {@link learnPersona} and the node factories of the `./graph` entry take.
 * @example
 * const settings: PersonaSettings = resolvePersonaSettings({ model });
 */
export interface PersonaSettings {
  model: BaseChatModel;
  learnerModel: BaseChatModel;
  tools: StructuredToolInterface[];
  schema: z.ZodType;
  fields: PersonaField[];
  updateEvery: number;
  fieldPolicies: FieldPolicies;
  guards: PersonaValueGuard[];
  /**
   * The semantic guard's model; absent when the guard is off.
   * @default absent (off)
   */
  semanticGuard?: SemanticGuardSettings;
  review: boolean;
  maxMessageChars: number;
  sessionBudgetTokens: number;
  maxSessionsPerLearning: number;
  requireEvidenceQuote: boolean;
  instructions: string;
  /**
   * The `extraContext` option, as given.
   * @default absent (no extra context)
   */
  extraContext?: PersonaGraphOptions["extraContext"];
  learning: "inline" | "background";
  retention: ResolvedRetention;
  validateState: boolean;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function isChatModel(value: unknown): value is BaseChatModel {
  return typeof (value as BaseChatModel | undefined)?.invoke === "function";
}

/**
 * The semantic guard setting: the option when given, else the
 * PERSONA_SEMANTIC_GUARD environment variable ("off"/"on"), else on.
 */
function resolveSemanticGuard(
  option: PersonaGraphOptions["semanticGuard"],
  learnerModel: BaseChatModel,
  env: NodeJS.ProcessEnv = process.env,
): SemanticGuardSettings | undefined {
  if (option === false) return undefined;
  if (option === true) return { model: learnerModel };
  if (option !== undefined) {
    if (typeof option !== "object" || option === null || (option.model !== undefined && !isChatModel(option.model))) {
      throw new TypeError("options.semanticGuard must be true, false or { model } with a LangChain chat model");
    }
    return { model: option.model ?? learnerModel };
  }
  const setting = env.PERSONA_SEMANTIC_GUARD?.trim().toLowerCase();
  if (setting === undefined || setting === "" || ["on", "true", "1"].includes(setting)) return { model: learnerModel };
  if (["off", "false", "0"].includes(setting)) return undefined;
  throw new TypeError(`PERSONA_SEMANTIC_GUARD must be "on" or "off", got "${env.PERSONA_SEMANTIC_GUARD}"`);
}

/**
 * Applies the defaults to graph options and rejects bad options with messages that say how to fix
 * them (TypeError). The result is what {@link learnPersona} needs to learn outside a graph.
 * @param options - the same options as {@link createPersonaGraph}
 * @returns the complete settings
 * @example
 * const settings = resolvePersonaSettings({ model, updateEvery: 1 });
 * await learnPersona(new PersonaMemory(store, "alice"), settings);
 */
export function resolvePersonaSettings(options: PersonaGraphOptions): PersonaSettings {
  if (!options || typeof options !== "object") {
    throw new TypeError("persona graph options are required: createPersonaGraph({ model })");
  }
  if (!isChatModel(options.model)) {
    throw new TypeError("options.model must be a LangChain chat model (for example new ChatOpenAI(...))");
  }
  if (options.learnerModel !== undefined && !isChatModel(options.learnerModel)) {
    throw new TypeError("options.learnerModel must be a LangChain chat model");
  }
  const tools = options.tools ?? [];
  if (!Array.isArray(tools)) throw new TypeError("options.tools must be an array of tools");
  const names = new Set<string>();
  for (const tool of tools) {
    if (!tool || typeof tool.name !== "string") throw new TypeError("every entry of options.tools must be a tool");
    if (names.has(tool.name)) throw new TypeError(`two tools are named "${tool.name}"`);
    names.add(tool.name);
  }
  const learning = options.learning ?? "inline";
  if (learning !== "inline" && learning !== "background") {
    throw new TypeError('options.learning must be "inline" or "background"');
  }
  if (options.extraContext !== undefined && typeof options.extraContext !== "function") {
    throw new TypeError("options.extraContext must be a function");
  }
  if (options.guards !== undefined && (!Array.isArray(options.guards) || options.guards.some((g) => typeof g !== "function"))) {
    throw new TypeError("options.guards must be an array of functions (value, field) => reason | null");
  }
  const schema = options.schema ?? defaultPersonaSchema;
  const learnerModel = options.learnerModel ?? options.model;
  const semanticGuard = resolveSemanticGuard(options.semanticGuard, learnerModel);
  return {
    model: options.model,
    learnerModel,
    tools,
    schema,
    fields: describePersonaFields(schema),
    updateEvery: positiveInteger("options.updateEvery", options.updateEvery, 3),
    fieldPolicies: options.fieldPolicies ?? {},
    guards: [...(options.poisoningGuard === false ? [] : [poisoningGuard]), ...(options.guards ?? [])],
    ...(semanticGuard ? { semanticGuard } : {}),
    review: options.review ?? false,
    maxMessageChars: positiveInteger("options.maxMessageChars", options.maxMessageChars, DEFAULT_MAX_MESSAGE_CHARS),
    sessionBudgetTokens: positiveInteger("options.sessionBudgetTokens", options.sessionBudgetTokens, 2000),
    maxSessionsPerLearning: positiveInteger("options.maxSessionsPerLearning", options.maxSessionsPerLearning, 10),
    requireEvidenceQuote: options.requireEvidenceQuote ?? true,
    instructions: options.instructions ?? CHATBOT_INSTRUCTIONS,
    extraContext: options.extraContext,
    learning,
    retention: resolveRetention(options.retention),
    validateState: options.validateState ?? false,
  };
}
