import type { BaseMessage } from "@langchain/core/messages";
import { messageText } from "../learning/transcripts.js";

/** Default longest user message, in characters. */
export const DEFAULT_MAX_MESSAGE_CHARS = 32_000;
/** Longest thread id accepted, in characters. */
export const MAX_THREAD_ID_CHARS = 256;

/** Bad input to the persona graph: the message says what is wrong and how to fix it. */
export class PersonaInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PersonaInputError";
  }
}

/** Returns why a user message cannot be sent, or null. */
export function checkMessageText(text: string, maxChars = DEFAULT_MAX_MESSAGE_CHARS): string | null {
  if (text.trim() === "") return "the message is empty or only whitespace; send some text";
  if (text.length > maxChars) {
    return `the message has ${text.length} characters; the limit is ${maxChars} (split it or raise maxMessageChars)`;
  }
  return null;
}

/** Returns why a thread id cannot be used, or null. */
export function checkThreadId(threadId: unknown): string | null {
  if (typeof threadId !== "string" || threadId.trim() === "") return "thread id must be a non-empty string";
  if (threadId.length > MAX_THREAD_ID_CHARS) return `thread id is longer than ${MAX_THREAD_ID_CHARS} characters`;
  if (/[\u0000-\u001f\u007f]/.test(threadId)) return "thread id must not contain control characters";
  return null;
}

/** Returns why a user message (as a LangChain message) cannot be sent, or null. */
export function checkUserMessage(message: BaseMessage, maxChars = DEFAULT_MAX_MESSAGE_CHARS): string | null {
  return checkMessageText(messageText(message), maxChars);
}
