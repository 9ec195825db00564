import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { z } from "zod";
import { formatPrompt, messageText } from "../../render.js";
import { JSON_RETRY } from "../prompts/jsonRetry.js";
import { parseJsonReply } from "./parseJsonReply.js";


/** Outcome of a call that must return a JSON object. Malformed replies are kept. */
export type StructuredOutcome<T> =
  | { status: "ok"; value: T; attempts: number }
  | { status: "malformed"; error: string; raw: string; attempts: number };

/** A judgment whose model call failed (the endpoint errored); a rerun retries it. */
export interface FailedJudgment {
  status: "failed";
  error: string;
  attempts: number;
}

/** What a judge produced: a verdict, an unreadable reply, or a failed call. */
export type JudgeOutcome<T> = StructuredOutcome<T> | FailedJudgment;

/** Runs a judgment; a failing call becomes a FailedJudgment instead of an exception. */
export async function judgeOrRecordFailure<T>(judge: () => Promise<StructuredOutcome<T>>): Promise<JudgeOutcome<T>> {
  try {
    return await judge();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: "failed", error: message.split("\n")[0] ?? message, attempts: 1 };
  }
}

/**
 * Calls `model` and reads a JSON object matching `schema` from its reply. A
 * malformed reply is answered once with the parse error; if the second reply is
 * malformed too, the outcome says so and keeps the raw text. Model errors throw.
 */
export async function callForJson<T>(
  model: BaseChatModel,
  messages: BaseMessage[],
  schema: z.ZodType<T>,
  maxAttempts = 2,
): Promise<StructuredOutcome<T>> {
  const conversation = [...messages];
  let raw = "";
  let error = "";
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const reply = await model.invoke(conversation);
    raw = messageText(reply);
    const parsed = parseJsonReply(raw, schema);
    if (parsed.ok) return { status: "ok", value: parsed.value, attempts: attempt };
    error = parsed.error;
    conversation.push(new AIMessage(raw), new HumanMessage(formatPrompt(JSON_RETRY, { error })));
  }
  return { status: "malformed", error, raw: raw.slice(0, 2000), attempts: maxAttempts };
}
