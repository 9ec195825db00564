import { HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { createPersonaGraph, PersonaMemory } from "../../src/index.js";
import { ScriptedChatModel, type ScriptedCall } from "../../src/testing/index.js";
import { isLearnerCall, systemPromptOf, updateCall } from "../helpers/learnerReplies.js";

function setup(learnerReply: (call: ScriptedCall) => ReturnType<typeof updateCall> | string, updateEvery = 3) {
  const model = new ScriptedChatModel({
    replies: [(call) => (isLearnerCall(call) ? learnerReply(call) : "ok")],
    repeatLast: true,
  });
  const store = new InMemoryStore();
  const graph = createPersonaGraph({ model, updateEvery }).compile({ checkpointer: new MemorySaver(), store });
  const say = (userId: string, threadId: string, text: string, endSession = false) =>
    graph.invoke(
      { messages: [new HumanMessage(text)], endSession },
      { configurable: { thread_id: threadId }, context: { userId } },
    );
  const end = (userId: string, threadId: string) =>
    graph.invoke({ endSession: true }, { configurable: { thread_id: threadId }, context: { userId } });
  return { model, store, graph, say, end };
}

const learnName = () =>
  updateCall([{ op: "set", field: "Demographics.Name", value: "Alice", evidence: "my name is Alice" }]);

describe("createPersonaGraph", () => {
  it("learns after k ended sessions and shows the persona to a new thread of the same user only", async () => {
    const { model, store, say, end } = setup(learnName, 2);
    await say("alice", "a1", "hello, my name is Alice");
    await end("alice", "a1");
    expect(model.calls.filter(isLearnerCall)).toHaveLength(0);
    await say("alice", "a2", "I like tea");
    await end("alice", "a2");
    expect(model.calls.filter(isLearnerCall)).toHaveLength(1);

    const persona = await new PersonaMemory(store, "alice").load();
    expect(persona.version).toBe(1);
    expect(persona.persona).toEqual({ Demographics: { Name: "Alice" } });

    await say("alice", "a3", "what should I read?");
    const aliceChat = model.calls.filter((call) => !isLearnerCall(call)).at(-1)!;
    expect(systemPromptOf(aliceChat)).toContain('Demographics.Name: "Alice"');

    await say("bob", "b1", "what should I read?");
    const bobChat = model.calls.filter((call) => !isLearnerCall(call)).at(-1)!;
    expect(systemPromptOf(bobChat)).not.toContain("Alice");
    expect((await new PersonaMemory(store, "bob").load()).version).toBe(0);
  });

  it("learns a session once even when its end arrives twice", async () => {
    const { model, store, say, end } = setup(learnName, 1);
    await say("alice", "a1", "my name is Alice");
    await end("alice", "a1");
    await end("alice", "a1");
    expect(model.calls.filter(isLearnerCall)).toHaveLength(1);
    const memory = new PersonaMemory(store, "alice");
    expect((await memory.history()).map((v) => v.sessionIds)).toEqual([["a1"]]);
  });

  it("fails with a clear error when the user id is missing", async () => {
    const { graph } = setup(learnName);
    await expect(
      graph.invoke({ messages: [new HumanMessage("hi")] }, { configurable: { thread_id: "t" } }),
    ).rejects.toThrow(/missing userId\. Pass it/);
  });
});
