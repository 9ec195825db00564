import type { BaseMessage } from "@langchain/core/messages";

/**
 * The text of a message's content, whatever its content format (a string, or
 * a list of parts of which the text parts are joined).
 * @param message any LangChain message
 * @returns its text
 * @example messageText(new HumanMessage("hi")) // "hi"
 */
export function messageText(message: BaseMessage): string {
  const content = message.content;
  if (typeof content === "string") return content;
  return content
    .map((part) => (typeof part === "string" ? part : part.type === "text" ? String(part.text ?? "") : ""))
    .join("");
}
