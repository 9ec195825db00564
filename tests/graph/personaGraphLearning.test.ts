import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { z } from "zod";
import {
  createPersonaGraph,
  createPersonaLearnerGraph,
  type PersonaGraphOptions,
  PersonaMemory,
} from "../../src/index.js";
import { ScriptedChatModel, type ScriptedCall } from "../../src/testing/index.js";
import { isLearnerCall, systemPromptOf, updateCall } from "../helpers/learnerReplies.js";

type LearnerReply = (call: ScriptedCall) => AIMessage | string;

function harness(learner: LearnerReply, options: Partial<PersonaGraphOptions> = {}) {
  const model = new ScriptedChatModel({
    replies: [(call) => (isLearnerCall(call) ? learner(call) : `reply ${call.messages.length}`)],
    repeatLast: true,
  });
  const store = new InMemoryStore();
  const graph = createPersonaGraph({ model, updateEvery: 1, ...options }).compile({
    checkpointer: new MemorySaver(),
    store,
  });
  const run = (userId: string, threadId: string) => ({ configurable: { thread_id: threadId }, context: { userId } });
  return {
    model,
    store,
    graph,
    memory: (userId: string) => new PersonaMemory(store, userId),
    say: (userId: string, threadId: string, text: string) =>
      graph.invoke({ messages: [new HumanMessage(text)] }, run(userId, threadId)),
    end: (userId: string, threadId: string) => graph.invoke({ endSession: true }, run(userId, threadId)),
  };
}

const malformedReplies: Array<[string, AIMessage | string]> = [
  ["plain text instead of a tool call", "I think the user is called Ann."],
  [
    "invalid JSON arguments",
    new AIMessage({
      content: "",
      invalid_tool_calls: [{ id: "1", name: "update_persona", args: '{"changes": [', error: "Unexpected end", type: "invalid_tool_call" }],
    }),
  ],
  ["changes is not a list", new AIMessage({ content: "", tool_calls: [{ id: "1", name: "update_persona", args: { changes: "Name=Ann" } }] })],
  ["a different tool", new AIMessage({ content: "", tool_calls: [{ id: "1", name: "delete_user", args: {} }] })],
  ["an empty call", updateCall([])],
  ["only invalid changes", updateCall([{ op: "set", field: "Demographics.Nope", value: "x", evidence: "my name is Ann" }])],
];

describe("persona learning in the graph", () => {
  it.each(malformedReplies)("leaves the persona unchanged and records it when the learner sends %s", async (_label, reply) => {
    const h = harness(() => reply);
    await h.say("ann", "t1", "my name is Ann");
    const ended = await h.end("ann", "t1");
    const memory = h.memory("ann");
    expect((await memory.load()).version).toBe(0);
    expect(await memory.history()).toEqual([]);
    const log = await memory.learningLog();
    expect(log).toHaveLength(1);
    expect(log[0].sessionIds).toEqual(["t1"]);
    expect(["malformed", "all_rejected", "no_changes"]).toContain(log[0].outcome);
    expect(ended.lastLearning?.outcome).toBe(log[0].outcome);
    // The chat keeps working afterwards.
    const next = await h.say("ann", "t2", "hello again");
    expect(next.messages.at(-1)?.content).toMatch(/^reply/);
  });

  it("records each rejected change with its reason next to the applied ones", async () => {
    const h = harness(() =>
      updateCall([
        { op: "set", field: "Demographics.Name", value: "Ann", evidence: "my name is Ann" },
        { op: "set", field: "Demographics.Age", value: "old", evidence: "my name is Ann" },
        { op: "set", field: "Demographics.Gender", value: "f", evidence: "words nobody said" },
      ]),
    );
    await h.say("ann", "t1", "my name is Ann");
    await h.end("ann", "t1");
    const [version] = await h.memory("ann").history();
    expect(version.changes).toEqual([{ op: "set", field: "Demographics.Name", value: "Ann", evidence: "my name is Ann" }]);
    expect(version.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/does not fit field "Demographics.Age"/),
      "evidence is not a quote of the user's own words",
    ]);
  });

  it("keeps the chat answering when the learner model fails, and retries those sessions later", async () => {
    let fail = true;
    const h = harness(() => {
      if (fail) throw new Error("learner endpoint down");
      return updateCall([{ op: "set", field: "Demographics.Name", value: "Ann", evidence: "my name is Ann" }]);
    });
    await h.say("ann", "t1", "my name is Ann");
    const ended = await h.end("ann", "t1");
    expect(ended.lastLearning).toMatchObject({ outcome: "error", error: "learner endpoint down" });
    expect((await h.memory("ann").sessions("ended")).map((s) => s.sessionId)).toEqual(["t1"]);
    fail = false;
    // Ordinary turns do not retry; the next session end learns t1 together with t2.
    const next = await h.say("ann", "t2", "hi");
    expect(next.messages.at(-1)?.content).toMatch(/^reply/);
    expect(await h.memory("ann").history()).toEqual([]);
    await h.end("ann", "t2");
    const [version] = await h.memory("ann").history();
    expect(version.sessionIds).toEqual(["t1", "t2"]);
    expect((await h.memory("ann").learningLog()).map((r) => r.outcome)).toEqual(["error", "applied"]);
  });

  it("ends the previous session when the same user starts a new thread, and learns after the reply", async () => {
    const h = harness(() => updateCall([{ op: "set", field: "Demographics.Name", value: "Ann", evidence: "my name is Ann" }]));
    await h.say("ann", "t1", "my name is Ann");
    expect((await h.memory("ann").getSession("t1"))?.status).toBe("open");
    const callsBefore = h.model.calls.length;
    const result = await h.say("ann", "t2", "what's new?");
    expect((await h.memory("ann").getSession("t1"))).toMatchObject({ status: "learned", endReason: "new_thread" });
    const turnCalls = h.model.calls.slice(callsBefore);
    // The reply is produced first; learning runs after it, never before.
    expect(turnCalls.map(isLearnerCall)).toEqual([false, true]);
    expect(systemPromptOf(turnCalls[0])).not.toContain("Ann");
    expect(result.messages.at(-1)?.content).toMatch(/^reply/);
    expect(result.personaVersion).toBe(1);
  });

  it("starts a new session when a thread is used again after its session ended", async () => {
    const h = harness(() => updateCall([]));
    await h.say("ann", "t1", "first");
    await h.end("ann", "t1");
    const again = await h.say("ann", "t1", "second");
    expect(again.sessionId).toBe("t1#2");
    expect(again.sessionCount).toBe(2);
    const transcript = async (id: string) => (await h.memory("ann").transcript(id))?.turns.map((t) => t.text);
    await h.end("ann", "t1");
    expect(await transcript("t1")).toEqual(["first", "reply 2"]);
    // The model saw only the new session: system prompt + "second".
    expect(await transcript("t1#2")).toEqual(["second", "reply 2"]);
  });

  it("shows the learner the user's transcripts and the schema, with the update tool forced", async () => {
    const h = harness(() => updateCall([]), { updateEvery: 2 });
    await h.say("ann", "t1", "I grow tomatoes");
    await h.end("ann", "t1");
    await h.say("ann", "t2", "我喜欢园艺");
    await h.end("ann", "t2");
    const learnerCalls = h.model.calls.filter(isLearnerCall);
    expect(learnerCalls).toHaveLength(1);
    const [call] = learnerCalls;
    expect(call.toolChoice).toBe("any");
    expect(systemPromptOf(call)).toContain("Personality.Values_and_Interests");
    const sessions = String(call.messages[1].content);
    expect(sessions).toContain("User: I grow tomatoes");
    expect(sessions).toContain("User: 我喜欢园艺");
    expect(sessions.indexOf("Session 1")).toBeLessThan(sessions.indexOf("Session 2"));
  });

  it("runs the chatbot's tool calls through the tool executor and loops back", async () => {
    const weather = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
      name: "weather",
      description: "weather for a city",
      schema: z.object({ city: z.string() }),
    });
    const model = new ScriptedChatModel({
      replies: [
        new AIMessage({ content: "", tool_calls: [{ id: "w1", name: "weather", args: { city: "Oslo" } }] }),
        (call) => `It is ${String(call.messages.at(-1)?.content)}`,
      ],
    });
    const graph = createPersonaGraph({ model, tools: [weather] }).compile({
      checkpointer: new MemorySaver(),
      store: new InMemoryStore(),
    });
    const result = await graph.invoke(
      { messages: [new HumanMessage("weather?")] },
      { configurable: { thread_id: "t" }, context: { userId: "u" } },
    );
    expect(result.messages.find((m: unknown) => m instanceof ToolMessage)?.content).toBe("sunny in Oslo");
    expect(result.messages.at(-1)?.content).toBe("It is sunny in Oslo");
    expect(model.calls[0].tools).toEqual(["weather"]);
  });

  it("with learning in the background, only the learner graph learns", async () => {
    const model = new ScriptedChatModel({
      replies: [(call) => (isLearnerCall(call) ? updateCall([{ op: "set", field: "Demographics.Name", value: "Ann", evidence: "my name is Ann" }]) : "ok")],
      repeatLast: true,
    });
    const store = new InMemoryStore();
    const chat = createPersonaGraph({ model, updateEvery: 1, learning: "background" }).compile({ checkpointer: new MemorySaver(), store });
    const run = { configurable: { thread_id: "t1" }, context: { userId: "ann" } };
    await chat.invoke({ messages: [new HumanMessage("my name is Ann")] }, run);
    await chat.invoke({ endSession: true }, run);
    expect(model.calls.filter(isLearnerCall)).toHaveLength(0);
    const learner = createPersonaLearnerGraph({ model }).compile({ store });
    const learned = await learner.invoke({}, { context: { userId: "ann" } });
    expect(learned.personaVersion).toBe(1);
    expect((await new PersonaMemory(store, "ann").load()).persona).toEqual({ Demographics: { Name: "Ann" } });
  });

  it("rejects bad options with messages that say how to fix them", () => {
    const model = new ScriptedChatModel({ replies: [] });
    expect(() => createPersonaGraph({ model, updateEvery: 0 })).toThrow(/updateEvery must be a positive integer/);
    expect(() => createPersonaGraph({ model: {} as never })).toThrow(/options.model must be a LangChain chat model/);
    expect(() => createPersonaGraph({ model, learning: "sometimes" as never })).toThrow(/"inline" or "background"/);
  });

  it("fails clearly without a thread id or a store", async () => {
    const model = new ScriptedChatModel({ replies: ["x"] });
    const noCheckpointer = createPersonaGraph({ model }).compile({ store: new InMemoryStore() });
    await expect(noCheckpointer.invoke({ messages: [new HumanMessage("hi")] }, { context: { userId: "u" } })).rejects.toThrow(
      /missing thread_id\. Compile/,
    );
    const noStore = createPersonaGraph({ model }).compile({ checkpointer: new MemorySaver() });
    await expect(
      noStore.invoke({ messages: [new HumanMessage("hi")] }, { configurable: { thread_id: "t" }, context: { userId: "u" } }),
    ).rejects.toThrow(/no store/);
  });
});
