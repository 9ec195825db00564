import { idProblem } from "../memory/namespaces.js";

/**
 * Longest user message accepted by default, in characters (option `maxMessageChars`).
 * @example
 * checkMessageText("x".repeat(DEFAULT_MAX_MESSAGE_CHARS + 1)); // "the message has 32001 characters; the limit is 32000 ..."
 */
export const DEFAULT_MAX_MESSAGE_CHARS = 32_000;

/**
 * Bad input to the persona graph: the message says what is wrong and how to fix it.
 * @example
 * try {
 *   await graph.invoke({ messages: [new HumanMessage("")] }, config);
 * } catch (error) {
 *   if (error instanceof PersonaInputError) console.error(error.message); // nothing was stored
 * }
 */
export class PersonaInputError extends Error {
  /**
   * @param message - what is wrong and how to fix it
   */
  constructor(message: string) {
    super(message);
    this.name = "PersonaInputError";
  }
}

/**
 * Why a user message cannot be sent, or null.
 * @param text the message text
 * @param maxChars the longest accepted message
 * @default maxChars 32000
 * @returns the reason, or null when the message is fine
 * @example checkMessageText("") // "the message is empty or only whitespace; send some text"
 */
export function checkMessageText(text: string, maxChars = DEFAULT_MAX_MESSAGE_CHARS): string | null {
  if (text.trim() === "") return "the message is empty or only whitespace; send some text";
  if (text.length > maxChars) {
    return `the message has ${text.length} characters; the limit is ${maxChars} (split it or raise maxMessageChars)`;
  }
  return null;
}

/** Why a thread id cannot be used, or null (the same rules as user ids). */
export function checkThreadId(threadId: unknown): string | null {
  return idProblem(threadId, "thread id");
}
