import { HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver, type BaseStore } from "@langchain/langgraph";
import { createPersonaGraph, PersonaMemory } from "../../src/index.js";
import { SqliteStore } from "../../src/store.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import { isLearnerCall, updateCall } from "../helpers/learnerReplies.js";
import { adversarialUserIds, expectUsersIsolated } from "./adversarialIds.js";

describe("chat input validation in the graph", () => {
  const model = new ScriptedChatModel({
    replies: [(call) => (isLearnerCall(call) ? updateCall([]) : "ok")],
    repeatLast: true,
  });
  const store = new InMemoryStore();
  const graph = createPersonaGraph({ model, updateEvery: 1 }).compile({ checkpointer: new MemorySaver(), store });
  const storedItems = async () => (await store.search([], { limit: 1000 })).length;

  it.each([
    ["empty", "", /empty or only whitespace/],
    ["whitespace-only", " \n\t ", /empty or only whitespace/],
    ["1 MB", "x".repeat(1024 * 1024), /1048576 characters; the limit is 32000/],
  ])("rejects a %s message with a clear error and stores nothing", async (_name, text, error) => {
    const before = await storedItems();
    await expect(
      graph.invoke({ messages: [new HumanMessage(text)] }, { configurable: { thread_id: `t-${_name}` }, context: { userId: "u" } }),
    ).rejects.toThrow(error);
    expect(await storedItems()).toBe(before);
  });

  it("a thread whose last input was rejected answers the next valid message without the rejected one", async () => {
    const run = { configurable: { thread_id: "t-recover" }, context: { userId: "u" } };
    await expect(graph.invoke({ messages: [new HumanMessage("x".repeat(40000))] }, run)).rejects.toThrow(/limit/);
    const result = await graph.invoke({ messages: [new HumanMessage("hello")] }, run);
    expect(result.messages.map((m) => m.content)).toEqual(["hello", "ok"]);
    const transcript = await new PersonaMemory(store, "u").transcript("t-recover");
    expect(transcript?.turns.map((t) => t.text)).toEqual(["hello", "ok"]);
  });

  it.each([
    ["empty user id", { userId: "" }, { thread_id: "t" }, /invalid userId: user id must be a non-empty string/],
    ["control characters", { userId: "a\u0000b" }, { thread_id: "t" }, /control characters/],
    ["too long user id", { userId: "u".repeat(300) }, { thread_id: "t" }, /longer than 256/],
    ["non-string user id", { userId: 42 }, { thread_id: "t" }, /userId[\s\S]*expected string|expected string[\s\S]*userId/],
    ["too long thread id", { userId: "u" }, { thread_id: "t".repeat(300) }, /invalid thread_id.*longer than 256/],
    ["thread id with newline", { userId: "u" }, { thread_id: "a\nb" }, /invalid thread_id.*control characters/],
  ])("rejects %s with a clear error and stores nothing", async (_name, context, configurable, error) => {
    const before = await storedItems();
    await expect(graph.invoke({ messages: [new HumanMessage("hi")] }, { configurable, context } as never)).rejects.toThrow(error);
    expect(await storedItems()).toBe(before);
  });
});

describe.each([
  ["InMemoryStore", (): BaseStore => new InMemoryStore()],
  ["SqliteStore", (): BaseStore => new SqliteStore(":memory:")],
])("adversarial user ids on %s", (_name, makeStore) => {
  it.each([1, 2, 3])("no read or write crosses users (seed %i)", async (seed) => {
    await expectUsersIsolated(makeStore(), adversarialUserIds(seed));
  });
});
