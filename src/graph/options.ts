import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { z } from "zod";
import type { BaseMessage } from "@langchain/core/messages";
import type { BaseStore } from "@langchain/langgraph";
import { defaultPersonaSchema } from "../schema/defaultSchema.js";
import { describePersonaFields, type PersonaField } from "../schema/fields.js";
import type { FieldPolicies, PersonaValueGuard } from "../learning/fieldPolicies.js";
import { poisoningGuard } from "../learning/guards.js";
import { DEFAULT_MAX_MESSAGE_CHARS } from "./input.js";
import { CHATBOT_INSTRUCTIONS } from "../prompts/chatbotPrompt.js";
import { resolveRetention, type ResolvedRetention, type RetentionPolicy } from "../memory/retention.js";

export interface PersonaGraphOptions {
  /** The chat model that answers the user. */
  model: BaseChatModel;
  /** The model that learns the persona (must support tool calling). Default: `model`. */
  learnerModel?: BaseChatModel;
  /** Tools the chatbot may call; run by the graph's tool executor. */
  tools?: StructuredToolInterface[];
  /** The persona schema, a zod object. Default: the paper's four-group persona. */
  schema?: z.ZodType;
  /** Learn after this many ended, not yet learned sessions. Default 3. */
  updateEvery?: number;
  /** Per-field limits for learned values (frozen fields, lengths). */
  fieldPolicies?: FieldPolicies;
  /** Checks on every value the learner would store (run after the poisoning guard). */
  guards?: PersonaValueGuard[];
  /**
   * Reject values that read as instructions to the assistant, links, templates,
   * encoded or hidden text (see src/learning/guards.ts). Default true.
   */
  poisoningGuard?: boolean;
  /**
   * Pause each persona update for a person to approve, edit or reject the
   * proposed changes (LangGraph interrupt; needs a checkpointer). Default false.
   */
  review?: boolean;
  /** Longest user message accepted, in characters; longer ones fail with a clear error. Default 32000. */
  maxMessageChars?: number;
  /** Token budget of one session's transcript shown to the learner. Default 2000. */
  sessionBudgetTokens?: number;
  /** Most sessions one learning run reads. Default 10. */
  maxSessionsPerLearning?: number;
  /** Evidence must quote the user's own words. Default true. */
  requireEvidenceQuote?: boolean;
  /** Replaces the chatbot's base instructions. */
  instructions?: string;
  /**
   * Extra text for the chatbot's system prompt, computed per turn (for example
   * retrieved past sessions). Returning nothing adds nothing.
   */
  extraContext?: (input: ExtraContextInput) => Promise<string | undefined> | string | undefined;
  /**
   * "inline": learning runs in the graph when a session ends (after the reply).
   * "background": the graph only records sessions; run the learner graph yourself.
   * Default "inline".
   */
  learning?: "inline" | "background";
  /**
   * How much of each user's past is kept (see RetentionPolicy): superseded
   * checkpoints of learned threads, old transcripts, versions and learning
   * records are pruned after each learning run. `false` keeps everything.
   * @default { pruneCheckpoints: true, keepTranscripts: 20, keepSessions: 50, keepVersions: 20, keepLearningRecords: 50 }
   */
  retention?: RetentionPolicy | false;
}

/** What `extraContext` receives. */
export interface ExtraContextInput {
  userId: string;
  threadId: string;
  store: BaseStore;
  messages: BaseMessage[];
}

/** Options after defaults and validation. */
export interface PersonaSettings {
  model: BaseChatModel;
  learnerModel: BaseChatModel;
  tools: StructuredToolInterface[];
  schema: z.ZodType;
  fields: PersonaField[];
  updateEvery: number;
  fieldPolicies: FieldPolicies;
  guards: PersonaValueGuard[];
  review: boolean;
  maxMessageChars: number;
  sessionBudgetTokens: number;
  maxSessionsPerLearning: number;
  requireEvidenceQuote: boolean;
  instructions: string;
  extraContext?: PersonaGraphOptions["extraContext"];
  learning: "inline" | "background";
  retention: ResolvedRetention;
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

/** Applies defaults and rejects bad options with messages that say how to fix them. */
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
  return {
    model: options.model,
    learnerModel: options.learnerModel ?? options.model,
    tools,
    schema,
    fields: describePersonaFields(schema),
    updateEvery: positiveInteger("options.updateEvery", options.updateEvery, 3),
    fieldPolicies: options.fieldPolicies ?? {},
    guards: [...(options.poisoningGuard === false ? [] : [poisoningGuard]), ...(options.guards ?? [])],
    review: options.review ?? false,
    maxMessageChars: positiveInteger("options.maxMessageChars", options.maxMessageChars, DEFAULT_MAX_MESSAGE_CHARS),
    sessionBudgetTokens: positiveInteger("options.sessionBudgetTokens", options.sessionBudgetTokens, 2000),
    maxSessionsPerLearning: positiveInteger("options.maxSessionsPerLearning", options.maxSessionsPerLearning, 10),
    requireEvidenceQuote: options.requireEvidenceQuote ?? true,
    instructions: options.instructions ?? CHATBOT_INSTRUCTIONS,
    extraContext: options.extraContext,
    learning,
    retention: resolveRetention(options.retention),
  };
}
