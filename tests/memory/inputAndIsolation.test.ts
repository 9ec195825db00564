import { HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver, type BaseStore } from "@langchain/langgraph";
import { createPersonaGraph } from "../../src/graph/createPersonaGraph.js";
import { PersonaMemory } from "../../src/memory/personaMemory.js";
import { forgetUser } from "../../src/memory/erasure.js";
import { SqliteStore } from "../../src/store/sqliteStore.js";
import { ScriptedChatModel } from "../../src/testing/scriptedChatModel.js";
import { isLearnerCall, updateCall } from "../helpers/learnerReplies.js";

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
    ["empty user id", { userId: "" }, { thread_id: "t" }, /invalid "userId": user id must be a non-empty string/],
    ["control characters", { userId: "a\u0000b" }, { thread_id: "t" }, /control characters/],
    ["too long user id", { userId: "u".repeat(300) }, { thread_id: "t" }, /longer than 256/],
    ["non-string user id", { userId: 42 }, { thread_id: "t" }, /userId[\s\S]*expected string|expected string[\s\S]*userId/],
    ["too long thread id", { userId: "u" }, { thread_id: "t".repeat(300) }, /invalid "thread_id".*longer than 256/],
    ["thread id with newline", { userId: "u" }, { thread_id: "a\nb" }, /invalid "thread_id".*control characters/],
  ])("rejects %s with a clear error and stores nothing", async (_name, context, configurable, error) => {
    const before = await storedItems();
    await expect(graph.invoke({ messages: [new HumanMessage("hi")] }, { configurable, context } as never)).rejects.toThrow(error);
    expect(await storedItems()).toBe(before);
  });
});

/** Ids that are prefixes of each other, Unicode, path-like, escaped-looking, and very long. */
function adversarialUserIds(seed: number): string[] {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const alphabet = ["a", "1", "/", ".", ":", "%", "%2E", "%25", "*", " ", "é", "用户", "👩‍💻", "\\", "..", "-", "_", "persona", "history"];
  const ids = new Set<string>([
    "u1", "u10", "u1/", "u1/history", "u1.history", "u1%2Ehistory", "u1%", "%", "%25", ".", "..", "../u1",
    "/", "u1:", "u1 ", " u1", "U1", "ü1", "u\u0301" + "1", "用户", "用户1", "*", "persona", "history", "u".repeat(256),
    "u".repeat(255),
  ]);
  while (ids.size < 60) {
    const length = 1 + Math.floor(random() * 6);
    ids.add(Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("").slice(0, 256));
  }
  return [...ids].filter((id) => id.trim() !== "");
}

describe.each([
  ["InMemoryStore", (): BaseStore => new InMemoryStore()],
  ["SqliteStore", (): BaseStore => new SqliteStore(":memory:")],
])("adversarial user ids on %s", (_name, makeStore) => {
  it.each([1, 2, 3])("no read or write crosses users (seed %i)", async (seed) => {
    const store = makeStore();
    const ids = adversarialUserIds(seed);
    for (const [i, userId] of ids.entries()) {
      const memory = new PersonaMemory(store, userId);
      await memory.startSession(`s-${i}`, `thread-${i}`);
      await memory.saveTranscript(`s-${i}`, [{ role: "user", text: `owner ${i}` }]);
      await memory.endSession(`s-${i}`, "explicit");
      await memory.commitVersion({
        source: "manual",
        sessionIds: [`s-${i}`],
        build: () => ({
          persona: { Demographics: { Name: `owner ${i}` } },
          changes: [{ op: "set", field: "Demographics.Name", value: `owner ${i}`, evidence: `owner ${i}` }],
          rejected: [],
        }),
      });
      await memory.recordLearning({ sessionIds: [`s-${i}`], outcome: "applied", appliedCount: 1, rejected: [] });
    }
    for (const [i, userId] of ids.entries()) {
      const memory = new PersonaMemory(store, userId);
      expect((await memory.load()).persona).toEqual({ Demographics: { Name: `owner ${i}` } });
      expect((await memory.history()).map((v) => v.persona)).toEqual([{ Demographics: { Name: `owner ${i}` } }]);
      expect((await memory.sessions()).map((s) => s.sessionId)).toEqual([`s-${i}`]);
      expect((await memory.learningLog()).map((r) => r.sessionIds)).toEqual([[`s-${i}`]]);
    }
    // Erasing one user leaves every other user's data intact.
    const victim = ids.indexOf("u1");
    await forgetUser(new PersonaMemory(store, "u1"));
    for (const [i, userId] of ids.entries()) {
      const document = await new PersonaMemory(store, userId).load();
      expect(document.version).toBe(i === victim ? 0 : 1);
    }
  });
});
