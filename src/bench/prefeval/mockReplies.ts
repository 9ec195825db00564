import { contentText, type MockChatRequest, type MockReply } from "../../testing/index.js";

/** The mock chatbot's marker of a reply that used what it knew about the user (see mockBenchHandler). */
const PERSONALIZED = "[personalized]";

const between = (text: string, tag: string) => new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(text)?.[1] ?? "";
const answer = (yes: boolean, extra: Record<string, string> = {}): MockReply => ({
  content: JSON.stringify({ answer: yes ? "yes" : "no", ...extra, reason: "mock" }),
});

/**
 * Deterministic replies to the PrefEval suite's judge prompts, for the mock
 * server: a reply follows the preference when the mock chatbot marked it as
 * using what it knew about the user; the stored-preference check says yes
 * when the stored values contain the preference's first 30 characters.
 * Returns undefined for any other request. The figures a mock run produces
 * measure the harness, not a model.
 *
 * @param request - The request the mock server received.
 * @returns The reply, or undefined.
 * @example
 * ```ts no-run
 * const server = await startMockOpenAIServer((request) => prefEvalMockReply(request) ?? mockBenchHandler(request));
 * ```
 */
export function prefEvalMockReply(request: MockChatRequest): MockReply | undefined {
  const prompt = contentText(request.messages[0]?.content);
  if (prompt.startsWith("You check one thing about a stored user profile")) {
    return answer(between(prompt, "profile").includes(between(prompt, "preference").slice(0, 30)));
  }
  if (!prompt.startsWith("You check one thing about an AI assistant's reply")) return undefined;
  const reply = between(prompt, "reply");
  const personalized = reply.includes(PERSONALIZED);
  if (prompt.includes("whether it goes against a preference")) return answer(!personalized);
  if (prompt.includes("whether it refers to a preference")) return answer(personalized, { restated: personalized ? "what the user told me earlier" : "" });
  if (prompt.includes("whether the preference it attributes to the user")) return answer(false);
  if (prompt.includes("whether it actually answers")) return answer(reply.trim().length > 0);
  return undefined;
}
