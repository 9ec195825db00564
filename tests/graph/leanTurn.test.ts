import { HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver, type Operation } from "@langchain/langgraph";
import { createPersonaGraph, PersonaMemory } from "../../src/index.js";
import { SqliteStore } from "../../src/store.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import { isLearnerCall, updateCall } from "../helpers/learnerReplies.js";
import { checkpointCount } from "../helpers/personaHarness.js";

/** Counts every call that reaches the store itself (a round trip to the database). */
function countingStore<S extends InMemoryStore | SqliteStore>(store: S) {
  const counts = { batch: 0, commit: 0, operations: [] as string[] };
  const batch = (store.batch as (operations: Operation[]) => Promise<unknown>).bind(store);
  store.batch = (async (operations: Operation[]) => {
    counts.batch++;
    counts.operations.push(...operations.map((op) => ("namespacePrefix" in op ? "search" : "value" in op ? "put" : "get")));
    return batch(operations);
  }) as unknown as typeof store.batch;
  const commit = (store as { commitAtomically?: (w: unknown[]) => Promise<boolean> }).commitAtomically?.bind(store);
  if (commit) {
    (store as unknown as { commitAtomically: (w: unknown[]) => Promise<boolean> }).commitAtomically = async (writes) => {
      counts.commit++;
      return commit(writes);
    };
  }
  return {
    counts,
    reset() {
      counts.batch = 0;
      counts.commit = 0;
      counts.operations = [];
    },
  };
}

describe("a lean turn", () => {
  it("makes at most 2 store round trips per ordinary turn, none of them a search, whatever the user's history", async () => {
    const store = new SqliteStore(":memory:");
    const counter = countingStore(store);
    const model = new ScriptedChatModel({ replies: [(call) => (isLearnerCall(call) ? updateCall([]) : "ok")], repeatLast: true });
    const graph = createPersonaGraph({ model, updateEvery: 3 }).compile({ checkpointer: new MemorySaver(), store });
    const run = (thread: string) => ({ configurable: { thread_id: thread }, context: { userId: "u1" } });
    // A user with history: 12 past sessions, 4 learning runs.
    for (let i = 0; i < 12; i++) {
      await graph.invoke({ messages: [new HumanMessage(`session ${i}`)] }, run(`past-${i}`));
      await graph.invoke({ endSession: true }, run(`past-${i}`));
    }
    expect((await new PersonaMemory(store, "u1").sessions("learned")).length).toBe(12);
    await graph.invoke({ messages: [new HumanMessage("first turn of a new thread")] }, run("now"));
    for (let turn = 0; turn < 5; turn++) {
      counter.reset();
      await graph.invoke({ messages: [new HumanMessage(`ordinary turn ${turn}`)] }, run("now"));
      expect(counter.counts.batch + counter.counts.commit).toBeLessThanOrEqual(2);
      expect(counter.counts.operations).not.toContain("search");
    }
  });

  it("calls the chat model exactly once per turn without tools, and the learner once per k ended sessions", async () => {
    const model = new ScriptedChatModel({ replies: [(call) => (isLearnerCall(call) ? updateCall([]) : "ok")], repeatLast: true });
    const graph = createPersonaGraph({ model, updateEvery: 2, semanticGuard: false }).compile({
      checkpointer: new MemorySaver(),
      store: new InMemoryStore(),
    });
    const run = (thread: string) => ({ configurable: { thread_id: thread }, context: { userId: "u1" } });
    for (let session = 0; session < 6; session++) {
      for (let turn = 0; turn < 3; turn++) {
        const before = model.calls.length;
        await graph.invoke({ messages: [new HumanMessage(`s${session} t${turn}`)] }, run(`t${session}`));
        expect(model.calls.slice(before).filter((call) => !isLearnerCall(call))).toHaveLength(1);
      }
      await graph.invoke({ endSession: true }, run(`t${session}`));
    }
    expect(model.calls.filter(isLearnerCall)).toHaveLength(3); // 6 sessions, k = 2
  });

  it("shows the chatbot only the current session of a reused thread, and saves one checkpoint per run", async () => {
    const checkpointer = new MemorySaver();
    const model = new ScriptedChatModel({ replies: [(call) => (isLearnerCall(call) ? updateCall([]) : "ok")], repeatLast: true });
    const graph = createPersonaGraph({ model, updateEvery: 100 }).compile({ checkpointer, store: new InMemoryStore() });
    const run = { configurable: { thread_id: "reused" }, context: { userId: "u1" } };
    for (let session = 0; session < 10; session++) {
      for (let turn = 0; turn < 3; turn++) await graph.invoke({ messages: [new HumanMessage(`s${session} t${turn}`)] }, run);
      await graph.invoke({ endSession: true }, run);
    }
    const last = model.calls.at(-1)!;
    // System prompt + the 3 user messages and 2 replies of the last session: the prompt does not grow with the thread.
    expect(last.messages).toHaveLength(6);
    expect(last.messages.map((m) => String(m.content)).join(" ")).not.toContain("s8");
    expect(await checkpointCount(checkpointer, "reused")).toBe(40); // 30 turns + 10 session ends: one checkpoint per run
  });

  it("behaves the same with state validation on (the served graphs' setting)", async () => {
    const model = new ScriptedChatModel({ replies: [(call) => (isLearnerCall(call) ? updateCall([{ op: "set", field: "Demographics.Name", value: "Ann", evidence: "I am Ann" }]) : "ok")], repeatLast: true });
    const store = new InMemoryStore();
    const graph = createPersonaGraph({ model, updateEvery: 1, validateState: true, semanticGuard: false }).compile({ checkpointer: new MemorySaver(), store });
    const run = { configurable: { thread_id: "v" }, context: { userId: "ann" } };
    const reply = await graph.invoke({ messages: [new HumanMessage("I am Ann")] }, run);
    expect(reply.messages.at(-1)?.content).toBe("ok");
    const ended = await graph.invoke({ endSession: true }, run);
    expect(ended.personaVersion).toBe(1);
    expect((await new PersonaMemory(store, "ann").load()).persona).toEqual({ Demographics: { Name: "Ann" } });
  });
});
