import {
  contentText,
  type MockChatRequest,
  type MockHandler,
  type MockReply,
  semanticGuardMockReply,
} from "../../src/testing/index.js";

/** Facts the rule-based learner recognises in user lines, as (pattern, field, value-from-match). */
const RULES: Array<{ pattern: RegExp; field: string; list?: boolean }> = [
  { pattern: /my name is (\p{L}+)/iu, field: "Demographics.Name" },
  { pattern: /I work as an? ([\p{L} ]+?)(?:[.,!]|$)/iu, field: "Demographics.Career_Information" },
  { pattern: /I love ([\p{L} ]+?)(?:[.,!]|$)/iu, field: "Personality.Values_and_Interests", list: true },
];

function learnerReply(request: MockChatRequest): MockReply {
  const sessions = contentText(request.messages.at(-1)?.content);
  const changes: unknown[] = [];
  const interests: string[] = [];
  const interestEvidence: string[] = [];
  for (const line of sessions.split("\n")) {
    if (!line.startsWith("User: ")) continue;
    const text = line.slice("User: ".length);
    for (const rule of RULES) {
      const match = rule.pattern.exec(text);
      if (!match) continue;
      if (rule.list) {
        interests.push(match[1].trim());
        interestEvidence.push(match[0]);
      } else {
        changes.push({ op: "set", field: rule.field, value: match[1].trim(), evidence: match[0] });
      }
    }
  }
  if (interests.length) {
    changes.push({ op: "set", field: "Personality.Values_and_Interests", value: interests, evidence: interestEvidence[0] });
  }
  return { toolCalls: [{ name: "update_persona", arguments: { changes } }] };
}

/**
 * A deterministic stand-in for a real model: as learner it extracts a few
 * facts from "User:" lines; as semantic guard it accepts every value; as chatbot it greets by the name it finds in the
 * system prompt, so a test can see the persona reached the prompt over HTTP.
 */
export const ruleBasedHandler: MockHandler = (request) => {
  // The semantic guard's call: every learned value describes the user.
  const verdicts = semanticGuardMockReply(request);
  if (verdicts) return verdicts;
  if (request.tools?.some((tool) => tool.function.name === "update_persona")) return learnerReply(request);
  const system = contentText(request.messages.find((message) => message.role === "system")?.content);
  const name = /Name: "?([^";\n]+)/.exec(system)?.[1];
  const last = contentText(request.messages.at(-1)?.content);
  return { content: `${name ? `Hello ${name}! ` : "Hello! "}You said: ${last}` };
};
