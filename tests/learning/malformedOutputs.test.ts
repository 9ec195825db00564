import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { createPersonaGraph, PersonaMemory } from "../../src/index.js";
import { flattenPersona } from "../../src/memory/diff.js";
import { ScriptedChatModel, type ScriptedCall } from "../../src/testing/index.js";
import { isLearnerCall } from "../helpers/learnerReplies.js";

interface MalformedCase {
  name: string;
  reply: {
    content?: string;
    tool_calls?: Array<{ name: string; args: unknown }>;
    invalid_tool_calls?: Array<{ name: string; args: string; error: string }>;
    throw?: string;
  };
  /** Fields the valid part of the reply changes. */
  applied: string[];
}

const cases = JSON.parse(
  readFileSync(join(__dirname, "..", "fixtures", "malformed-learner-outputs.json"), "utf8"),
) as MalformedCase[];

function learnerReply(reply: MalformedCase["reply"]): AIMessage {
  if (reply.throw) throw new Error(reply.throw);
  return new AIMessage({
    content: reply.content ?? "",
    tool_calls: (reply.tool_calls ?? []).map((call, i) => ({
      id: `call_${i}`,
      name: call.name,
      args: call.args as Record<string, unknown>,
      type: "tool_call" as const,
    })),
    invalid_tool_calls: (reply.invalid_tool_calls ?? []).map((call, i) => ({
      id: `bad_${i}`,
      name: call.name,
      args: call.args,
      error: call.error,
      type: "invalid_tool_call" as const,
    })),
  });
}

describe("malformed learner outputs", () => {
  it("has at least 50 cases", () => expect(cases.length).toBeGreaterThanOrEqual(50));

  const store = new InMemoryStore();
  let current: MalformedCase = cases[0]!;
  const model = new ScriptedChatModel({
    replies: [(call: ScriptedCall) => (isLearnerCall(call) ? learnerReply(current.reply) : "ok")],
    repeatLast: true,
  });
  const graph = createPersonaGraph({
    model,
    updateEvery: 1,
    fieldPolicies: { "Demographics.Gender": { frozen: true } },
  }).compile({ checkpointer: new MemorySaver(), store });

  it.each(cases.map((c, i) => [c.name, i] as const))("%s: only valid changes apply, rejections have reasons, chat answers", async (_name, index) => {
    current = cases[index]!;
    const userId = `case-${index}`;
    const run = (thread: string) => ({ configurable: { thread_id: thread }, context: { userId } });
    const first = await graph.invoke({ messages: [new HumanMessage("hi, my name is Carol")], endSession: true }, run(`${userId}-a`));
    expect(first.messages.at(-1)!.content).toBe("ok");

    const memory = new PersonaMemory(store, userId);
    const document = await memory.load();
    expect([...flattenPersona(document.persona).keys()]).toEqual(current.applied);
    if (current.applied.length) expect(document.persona).toEqual({ Demographics: { Name: "Carol" } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const log = await memory.learningLog();
    expect(log).toHaveLength(1);
    const record = log[0]!;
    expect(record.rejected.every((r) => typeof r.reason === "string" && r.reason.length > 0)).toBe(true);
    const calledUpdate = current.reply.tool_calls?.some((c) => c.name === "update_persona") ?? false;
    const emptyCall = JSON.stringify(current.reply.tool_calls?.map((c) => c.args)) === JSON.stringify(
      current.reply.tool_calls?.map(() => ({ changes: [] })),
    );
    if (current.reply.throw) expect(record).toMatchObject({ outcome: "error", error: current.reply.throw });
    else if (!calledUpdate) expect(record.outcome).toBe("malformed");
    else if (current.applied.length === 0) {
      expect(record.outcome).toBe(emptyCall ? "no_changes" : "all_rejected");
      if (!emptyCall) expect(record.rejected.length).toBeGreaterThan(0);
    } else {
      expect(record.outcome).toBe("applied");
      expect(record.appliedCount).toBe(current.applied.length);
    }
    // The session is settled: learned, or (model error) left for a later run.
    const session = (await memory.sessions())[0]!;
    expect(session.status).toBe(current.reply.throw ? "ended" : "learned");

    const next = await graph.invoke({ messages: [new HumanMessage("still there?")] }, run(`${userId}-b`));
    expect(next.messages.at(-1)!.content).toBe("ok");
  });

  it("records every rejected item of a mixed reply with its reason", async () => {
    const mixed = cases.findIndex((c) => c.name === "one valid and one frozen");
    const log = await new PersonaMemory(store, `case-${mixed}`).learningLog();
    expect(log[0]!.rejected).toEqual([
      expect.objectContaining({ reason: 'field "Demographics.Gender" is frozen' }),
    ]);
  });
});
