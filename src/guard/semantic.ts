import { HumanMessage, SystemMessage, ToolMessage, type AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { RunnableConfig, Runnable } from "@langchain/core/runnables";
import { z } from "zod";
import { formatPrompt } from "../prompts/formatPrompt.js";
import { SEMANTIC_GUARD_ENTRIES, SEMANTIC_GUARD_RETRY, SEMANTIC_GUARD_SYSTEM } from "../prompts/semanticGuardPrompt.js";
import { encodeForPrompt } from "./quote.js";
import {
  SEMANTIC_LABELS,
  SEMANTIC_LABEL_MEANINGS,
  emptySemanticCost,
  type SemanticGuardCost,
  type SemanticLabel,
  type SemanticVerdict,
} from "./verdict.js";

/**
 * Layer 3 of the poisoning guard: a model reads each proposed persona value
 * and says whether it describes the user or steers the assistant (instructs
 * it, claims privileges, targets other users, weakens safety). It runs during
 * learning only, never on the reply path. Its reply is structured (a tool
 * call, or JSON text from models without tools) and validated with zod; an
 * entry without a readable verdict after one retry is "unreadable", which the
 * caller treats like a flag (rejected, or sent to review when review is on).
 */

/**
 * The tool the guard's model calls with its verdicts.
 * @example
 * const call = reply.tool_calls?.find((c) => c.name === SEMANTIC_GUARD_TOOL);
 */
export const SEMANTIC_GUARD_TOOL = "record_persona_verdicts";

/**
 * One value to classify.
 * @example
 * const entry: SemanticEntry = { field: "Preference.Preferred_Styles", value: "short answers", evidence: "keep it short" };
 */
export interface SemanticEntry {
  /** Dotted field path, e.g. "Preference.Preferred_Styles". */
  field: string;
  /** The proposed value (string, number or list). */
  value: unknown;
  /** The user's words the value came from, when known. */
  evidence?: string;
}

/**
 * The verdicts for a batch of entries, in entry order, and what they cost.
 * @example
 * const { verdicts, cost } = await classifyPersonaValues(model, [entry]);
 */
export interface SemanticClassification {
  verdicts: SemanticVerdict[];
  cost: SemanticGuardCost;
  /** Set when the model call failed (endpoint error); verdicts are then all "unreadable". */
  error?: string;
}

/**
 * Options of `classifyPersonaValues`.
 * @example
 * await classifyPersonaValues(model, entries, { retries: 0 } satisfies SemanticGuardCallOptions);
 */
export interface SemanticGuardCallOptions {
  /**
   * Extra attempts after a reply that cannot be read (not after endpoint errors,
   * which the model client retries itself).
   * @default 1
   */
  retries?: number;
  /**
   * Passed to the model call (callbacks, tags, abort signal).
   * @default none
   */
  config?: RunnableConfig;
}

const toolSchema = z.object({
  verdicts: z
    .array(
      z.object({
        id: z.number().int().describe("The entry's id"),
        label: z.enum(SEMANTIC_LABELS).describe("The verdict"),
        reason: z.string().describe("Why, in at most one short sentence"),
      }),
    )
    .describe("One verdict per entry"),
});

// Lenient reading of what came back: ids as digits, labels in any case or with spaces.
const replySchema = z.object({
  verdicts: z.array(
    z.object({
      id: z.coerce.number().int(),
      label: z.preprocess(
        (value) => (typeof value === "string" ? value.trim().toLowerCase().replace(/[\s-]+/g, "_") : value),
        z.enum(SEMANTIC_LABELS),
      ),
      reason: z.string().optional().default(""),
    }),
  ),
});

/**
 * The guard's verdict tool definition (name, description, zod schema) for `bindTools`.
 * @returns the tool definition: one verdict (id, label, reason) per entry
 * @example
 * const bound = model.bindTools([semanticGuardTool()], { tool_choice: SEMANTIC_GUARD_TOOL });
 */
export function semanticGuardTool() {
  return {
    name: SEMANTIC_GUARD_TOOL,
    description: "Record one verdict per proposed profile entry.",
    schema: toolSchema,
  };
}

function textOf(message: BaseMessage): string {
  const content = message.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === "string" ? part : "text" in part ? String(part.text) : "")).join("");
  return "";
}

/** The verdict payload of a reply: the tool call's arguments, else JSON found in the text. */
function payloadOf(reply: AIMessage): unknown {
  const call = reply.tool_calls?.find((candidate) => candidate.name === SEMANTIC_GUARD_TOOL) ?? reply.tool_calls?.[0];
  if (call) return call.args;
  if (reply.invalid_tool_calls?.length) {
    throw new Error(`the tool call's arguments are not valid JSON (${reply.invalid_tool_calls[0].error ?? "unparsable"})`);
  }
  const text = textOf(reply).replace(/```(?:json)?/gi, "");
  const start = text.search(/[[{]/);
  if (start < 0) throw new Error("the reply has neither a tool call nor JSON");
  const end = Math.max(text.lastIndexOf("}"), text.lastIndexOf("]"));
  const parsed = JSON.parse(text.slice(start, end + 1)) as unknown;
  return Array.isArray(parsed) ? { verdicts: parsed } : parsed;
}

/** Reads the verdicts; returns the ids it could read and an error naming what was wrong. */
function readVerdicts(reply: AIMessage, count: number): { found: Map<number, { label: SemanticLabel; reason: string }>; error?: string } {
  const found = new Map<number, { label: SemanticLabel; reason: string }>();
  let payload: unknown;
  try {
    payload = payloadOf(reply);
  } catch (error) {
    return { found, error: (error as Error).message };
  }
  const parsed = replySchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { found, error: `the verdicts do not match the expected shape (${issue.path.join(".") || "reply"}: ${issue.message})` };
  }
  for (const verdict of parsed.data.verdicts) {
    if (verdict.id >= 1 && verdict.id <= count && !found.has(verdict.id)) found.set(verdict.id, { label: verdict.label, reason: verdict.reason });
  }
  const missing = count - found.size;
  return missing > 0 ? { found, error: `${missing} of ${count} entries have no verdict` } : { found };
}

function labelList(): string {
  return SEMANTIC_LABELS.map((label) => `- ${label}: ${SEMANTIC_LABEL_MEANINGS[label]}`).join("\n");
}

/** The prompt messages for a batch (exported for tests and for reading what the model sees). */
export function semanticGuardMessages(entries: SemanticEntry[]): BaseMessage[] {
  const lines = entries.map((entry, index) =>
    encodeForPrompt({ id: index + 1, field: entry.field, value: entry.value, ...(entry.evidence ? { evidence: entry.evidence } : {}) }),
  );
  return [
    new SystemMessage(formatPrompt(SEMANTIC_GUARD_SYSTEM, { tool: SEMANTIC_GUARD_TOOL, labels: labelList() })),
    new HumanMessage(formatPrompt(SEMANTIC_GUARD_ENTRIES, { entries: lines.join("\n") })),
  ];
}

/**
 * Classifies proposed persona values with a model, in one call per batch
 * (plus one retry for entries whose verdict could not be read).
 *
 * @param model Any LangChain chat model; tool calling is used when it has `bindTools`.
 * @param entries The values to classify.
 * @param options Retries and the run config.
 * @returns One verdict per entry (in order), the cost, and `error` when the model call failed.
 * @example
 * const { verdicts, cost } = await classifyPersonaValues(model, [
 *   { field: "Preference.Preferred_Styles", value: "Always wants metric units" },
 * ]);
 * verdicts[0].label; // "describes_user"
 */
export async function classifyPersonaValues(
  model: BaseChatModel,
  entries: SemanticEntry[],
  options: SemanticGuardCallOptions = {},
): Promise<SemanticClassification> {
  const cost = emptySemanticCost();
  cost.entries = entries.length;
  if (entries.length === 0) return { verdicts: [], cost };
  const runnable: Runnable<BaseMessage[], AIMessage> =
    typeof model.bindTools === "function"
      ? (model.bindTools([semanticGuardTool()], { tool_choice: "any" }) as unknown as Runnable<BaseMessage[], AIMessage>)
      : (model as unknown as Runnable<BaseMessage[], AIMessage>);
  const messages = semanticGuardMessages(entries);
  const retries = options.retries ?? 1;
  let found = new Map<number, { label: SemanticLabel; reason: string }>();
  let lastError: string | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    const started = performance.now();
    let reply: AIMessage;
    try {
      cost.calls++;
      reply = await runnable.invoke(messages, options.config);
    } catch (error) {
      cost.errors++;
      cost.ms += performance.now() - started;
      const message = (error as Error)?.message ?? String(error);
      cost.unreadable = entries.length - found.size;
      return { verdicts: toVerdicts(entries.length, found, `semantic guard call failed: ${message}`), cost, error: message };
    }
    cost.ms += performance.now() - started;
    const usage = reply.usage_metadata;
    if (usage) {
      cost.promptTokens += usage.input_tokens ?? 0;
      cost.completionTokens += usage.output_tokens ?? 0;
    } else cost.callsWithoutUsage++;
    const read = readVerdicts(reply, entries.length);
    // Keep verdicts read on an earlier attempt; a retry only fills the gaps.
    for (const [id, verdict] of read.found) if (!found.has(id)) found.set(id, verdict);
    found = new Map([...found.entries()].sort((a, b) => a[0] - b[0]));
    lastError = read.error;
    if (found.size === entries.length) break;
    messages.push(reply, new HumanMessage(formatPrompt(SEMANTIC_GUARD_RETRY, { error: read.error ?? "incomplete", tool: SEMANTIC_GUARD_TOOL })));
    // A tool call must be answered before the next user turn on OpenAI-style APIs.
    if (reply.tool_calls?.length) messages.splice(messages.length - 1, 0, ...toolAcks(reply));
  }
  cost.unreadable = entries.length - found.size;
  return { verdicts: toVerdicts(entries.length, found, `semantic guard reply unreadable: ${lastError ?? "no verdict"}`), cost };
}

function toolAcks(reply: AIMessage): BaseMessage[] {
  return (reply.tool_calls ?? []).map(
    (call) => new ToolMessage({ content: "not recorded: see the next message", tool_call_id: call.id ?? "call" }),
  );
}

function toVerdicts(count: number, found: Map<number, { label: SemanticLabel; reason: string }>, unreadableReason: string): SemanticVerdict[] {
  const verdicts: SemanticVerdict[] = [];
  for (let id = 1; id <= count; id++) {
    const verdict = found.get(id);
    verdicts.push(
      verdict
        ? { label: verdict.label, reason: verdict.reason, flagged: verdict.label !== "describes_user" }
        : { label: "unreadable", reason: unreadableReason, flagged: true },
    );
  }
  return verdicts;
}
