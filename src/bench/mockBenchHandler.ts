import { contentText, semanticGuardMockReply, type MockChatRequest, type MockHandler, type MockReply } from "../testing/index.js";
import { prefEvalMockReply } from "./prefeval/mockReplies.js";

const CJK = /[\u3400-\u9fff]/;
const MARK = "[personalized]";

function systemText(request: MockChatRequest): string {
  return contentText(request.messages.find((m) => m.role === "system")?.content);
}

function firstText(request: MockChatRequest): string {
  return contentText(request.messages[0]?.content);
}

function learner(request: MockChatRequest): MockReply {
  const sessions = contentText(request.messages.at(-1)?.content);
  const userLine = sessions.split("\n").find((line) => line.startsWith("User: "));
  if (!userLine) return { toolCalls: [{ name: "update_persona", arguments: { changes: [] } }] };
  const quote = userLine.slice("User: ".length).slice(0, 60).trim();
  return {
    toolCalls: [
      {
        name: "update_persona",
        arguments: { changes: [{ op: "set", field: "Pattern.Usage_Pattern", value: `Asks about: ${quote}`, evidence: quote }] },
      },
    ],
  };
}

function chatbot(request: MockChatRequest): MockReply {
  const system = systemText(request);
  const humans = request.messages.filter((m) => m.role === "user").map((m) => contentText(m.content));
  const last = humans.at(-1) ?? "";
  const toolResults = request.messages.filter((m) => m.role === "tool");
  const tool = request.tools?.[0];
  if (tool && toolResults.length === 0) {
    const properties = Object.keys((tool.function.parameters as { properties?: Record<string, unknown> })?.properties ?? {});
    return { toolCalls: [{ name: tool.function.name, arguments: Object.fromEntries(properties.map((p) => [p, "x"])) }] };
  }
  const knowsUser = system.includes("<user_persona>") || system.includes("<past_sessions>") || humans.length > 1;
  const body = CJK.test(last) ? `这是关于“${last.slice(0, 30)}”的建议。` : `Here is help with: ${last.slice(0, 60)}`;
  const used = toolResults.length ? (CJK.test(last) ? "（已查询接口）" : " (checked the API)") : "";
  return { content: `${knowsUser ? `${MARK} ` : ""}${body}${used}` };
}

function simulatedUser(request: MockChatRequest): MockReply {
  const turn = contentText(request.messages.at(-1)?.content);
  const reply = /<reply>\n([\s\S]*?)\n<\/reply>/.exec(turn)?.[1] ?? "";
  if (reply.includes(MARK)) return { content: JSON.stringify({ satisfied: true, reason: "fits me", message: "" }) };
  const chinese = CJK.test(systemText(request).split("What you know and want")[1] ?? "") || CJK.test(reply);
  return {
    content: JSON.stringify({
      satisfied: false,
      reason: "too generic",
      message: chinese ? "请结合我的情况再具体一点。" : "Please tailor that to me.",
    }),
  };
}

function firstReplyJudge(prompt: string): MockReply {
  const reply = /<reply>\n([\s\S]*?)\n<\/reply>/.exec(prompt)?.[1] ?? "";
  const fits = reply.includes(MARK);
  return { content: `\`\`\`json\n${JSON.stringify({ helpfulness: fits ? 8 : 6, personalization: fits ? 8 : 2, reason: "mock" })}\n\`\`\`` };
}

function pairwiseJudge(prompt: string): MockReply {
  const a = (/<reply_a>\n([\s\S]*?)\n<\/reply_a>/.exec(prompt)?.[1] ?? "").includes(MARK);
  const b = (/<reply_b>\n([\s\S]*?)\n<\/reply_b>/.exec(prompt)?.[1] ?? "").includes(MARK);
  return { content: JSON.stringify({ winner: a === b ? "tie" : a ? "A" : "B", reason: "mock" }) };
}

function similarityJudge(prompt: string): MockReply {
  const learned = prompt.split("Learned persona (JSON")[1] ?? "";
  const scores: Record<string, number> = {};
  for (const group of ["Demographics", "Personality", "Pattern", "Preference"]) {
    scores[group] = learned.includes(`"${group}"`) ? 5 : 0;
  }
  return { content: `Scores follow. ${JSON.stringify({ scores, reason: "mock" })}` };
}

/**
 * A deterministic OpenAI-compatible handler that plays every benchmark role
 * (chatbot, learner, simulated user, tool simulator, judges), for smoke runs
 * and tests without a model. The chatbot's reply is "personalized" when its
 * system prompt holds a persona or past sessions, or on a follow-up turn; the
 * simulated user is satisfied only by such replies. The PrefEval suite's
 * judges are answered too (see prefEvalMockReply).
 * @param request - the chat completions request
 * @returns the scripted reply of the role the request is for
 * @example
 * const server = await startMockOpenAIServer(mockBenchHandler);
 */
export const mockBenchHandler: MockHandler = (request) => {
  const verdict = semanticGuardMockReply(request);
  if (verdict) return verdict;
  const prefEval = prefEvalMockReply(request);
  if (prefEval) return prefEval;
  if (request.tools?.some((tool) => tool.function.name === "update_persona")) return learner(request);
  const first = firstText(request);
  if (first.startsWith("You play a real person")) return simulatedUser(request);
  if (first.startsWith("You simulate the API")) {
    const api = /API "([^"]+)"/.exec(first)?.[1] ?? "api";
    return { content: JSON.stringify({ status: "ok", api, result: "simulated data" }) };
  }
  if (first.startsWith("You grade an AI assistant's first reply")) return firstReplyJudge(first);
  if (first.startsWith("You compare two AI assistants")) return pairwiseJudge(first);
  if (first.startsWith("You compare a persona")) return similarityJudge(first);
  return chatbot(request);
};
