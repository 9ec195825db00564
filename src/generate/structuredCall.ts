import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import type { z } from "zod";
import { formatPrompt } from "../prompts/formatPrompt.js";
import { recordCall, type CostTable, type GenerateRole } from "./cost.js";
import { STRUCTURED_RETRY } from "./prompts/structuredRetry.js";

/**
 * One model call that must return a tool call matching a zod schema.
 * @example
 * const request: StructuredRequest<{ name: string }> = {
 *   role: "generator", stage: "seed", tool: "submit_seed", description: "Submit the seed", schema: z.object({ name: z.string() }), messages,
 * };
 */
export interface StructuredRequest<T> {
  /** Which role's model answers. */
  role: GenerateRole;
  /** The pipeline stage asking (for cost and counts). */
  stage: string;
  /** Tool name the model must call, e.g. "submit_persona". */
  tool: string;
  /** What the tool is for, shown to the model. */
  description: string;
  /** Schema of the tool's arguments: sent as the tool's JSON schema and used to validate the reply. */
  schema: z.ZodType<T>;
  /** Checks beyond the schema (e.g. "keeps the seed's name"); returns what is wrong, or undefined. */
  check?: (value: T) => string | undefined;
  messages: BaseMessage[];
}

/**
 * Where a call's figures go.
 * @example
 * const ledger: CallLedger = { cost: {}, stats: {} };
 */
export interface CallLedger {
  cost: CostTable;
  /** Counters; every invalid reply is counted as "<stage>.invalid_replies". */
  stats: Record<string, number>;
}

/**
 * A call whose replies stayed invalid after every attempt: the tool, the
 * number of attempts and the last validation error.
 *
 * @example
 * try { await callStructured(model, request, ledger); }
 * catch (error) { if (error instanceof StructuredOutputError) console.log(error.lastError); }
 */
export class StructuredOutputError extends Error {
  /**
   * @param tool - the tool the model had to call
   * @param attempts - how many calls were made
   * @param lastError - why the last reply was not valid
   */
  constructor(
    readonly tool: string,
    readonly attempts: number,
    readonly lastError: string,
  ) {
    super(`no valid ${tool} call after ${attempts} attempts: ${lastError}`);
    this.name = "StructuredOutputError";
  }
}

function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 6)
    .map((issue) => `${issue.path.map(String).join(".") || "(arguments)"}: ${issue.message}`)
    .join("; ");
}

/** JSON of a reply that answered in text (servers that ignore tool_choice): plain or in a code fence. */
function jsonFromText(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1];
  for (const candidate of [text.trim(), fenced?.trim()]) {
    if (!candidate) continue;
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function textOf(message: AIMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content.map((part) => (typeof part === "object" && "text" in part ? String(part.text) : "")).join("");
}

/** The tool arguments of a reply, or what is wrong with it. */
function argumentsOf(reply: AIMessage, tool: string): { args: unknown } | { error: string } {
  const call = reply.tool_calls?.find((candidate) => candidate.name === tool) ?? reply.tool_calls?.[0];
  if (call) {
    if (call.name !== tool) return { error: `called "${call.name}" instead of ${tool}` };
    return { args: call.args };
  }
  const invalid = reply.invalid_tool_calls?.[0];
  if (invalid) return { error: `the arguments of ${invalid.name ?? tool} are not valid JSON (${invalid.error ?? "unparsable"})` };
  const text = textOf(reply);
  const json = jsonFromText(text);
  if (json !== undefined) return { args: json };
  return { error: text.trim() ? `answered in text instead of calling ${tool}` : "empty reply" };
}

/**
 * Calls `model` with one tool bound and forced, validates the arguments with
 * the zod schema (and `check`), and on an invalid reply asks again with the
 * error, at most `maxAttempts` times in all. Every call is recorded in the
 * ledger; each invalid reply counts as "<stage>.invalid_replies".
 *
 * @param model - Any chat model with `bindTools` (ChatOpenAI, ScriptedChatModel, ...).
 * @param request - The prompt, tool and schema.
 * @param ledger - Where calls, tokens and counts go.
 * @param maxAttempts - Most calls, the first included. @default 3
 * @returns The validated arguments.
 * @throws StructuredOutputError when every reply was invalid; model errors are thrown as they are.
 * @example
 * const persona = await callStructured(model, { role: "generator", stage: "persona_synthesis",
 *   tool: "submit_persona", description: "...", schema: goldenPersonaSchema, messages }, ledger);
 */
export async function callStructured<T>(
  model: BaseChatModel,
  request: StructuredRequest<T>,
  ledger: CallLedger,
  maxAttempts = 3,
): Promise<T> {
  if (typeof model.bindTools !== "function") {
    throw new Error(`persona generate: the ${request.role} model cannot call tools (it has no bindTools)`);
  }
  const bound = model.bindTools([{ name: request.tool, description: request.description, schema: request.schema }], {
    tool_choice: request.tool,
  });
  const messages = [...request.messages];
  let lastError = "";
  // The OpenAI client adds an abort listener per request to the signal it gets and never removes it: each
  // call gets its own signal that follows the run's, so a run of many calls does not pile listeners on one.
  const runSignal = (AsyncLocalStorageProviderSingleton.getRunnableConfig() as { signal?: AbortSignal } | undefined)?.signal;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    // An aborted run (Studio's cancel, a caller's signal) makes no further calls, whatever the model does with signals.
    runSignal?.throwIfAborted();
    const reply = (await bound.invoke(messages, runSignal ? { signal: AbortSignal.any([runSignal]) } : undefined)) as AIMessage;
    recordCall(ledger.cost, request.role, request.stage, reply);
    const read = argumentsOf(reply, request.tool);
    if ("args" in read) {
      const parsed = request.schema.safeParse(read.args);
      if (parsed.success) {
        const problem = request.check?.(parsed.data);
        if (!problem) return parsed.data;
        lastError = problem;
      } else {
        lastError = zodMessage(parsed.error);
      }
    } else {
      lastError = read.error;
    }
    ledger.stats[`${request.stage}.invalid_replies`] = (ledger.stats[`${request.stage}.invalid_replies`] ?? 0) + 1;
    if (attempt < maxAttempts) {
      // The rejected reply is not replayed (its tool call would need a tool result): the error says what to fix.
      messages.splice(request.messages.length, messages.length, new HumanMessage(formatPrompt(STRUCTURED_RETRY, { tool: request.tool, error: lastError })));
    }
  }
  throw new StructuredOutputError(request.tool, maxAttempts, lastError);
}
