import { HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { createPersonaGraph, PersonaMemory } from "../../src/index.js";
import { DEFAULT_RETENTION, resolveRetention, type RetentionPolicy } from "../../src/memory/retention.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import { isLearnerCall, updateCall } from "../helpers/learnerReplies.js";
import { checkpointCount } from "../helpers/personaHarness.js";

describe("resolveRetention", () => {
  it("fills the documented defaults, keeps everything for false, and refuses nonsense", () => {
    expect(resolveRetention(undefined)).toEqual(DEFAULT_RETENTION);
    expect(resolveRetention({ keepThreads: 5 })).toEqual({ ...DEFAULT_RETENTION, keepThreads: 5 });
    expect(resolveRetention(false)).toMatchObject({ pruneCheckpoints: false, keepTranscripts: Infinity, keepVersions: Infinity });
    expect(() => resolveRetention({ keepVersions: 0 })).toThrow(/keepVersions must be a whole number >= 1/);
    expect(() => resolveRetention({ keepThreads: 1.5 })).toThrow(/keepThreads/);
    expect(() => resolveRetention("all" as unknown as RetentionPolicy)).toThrow(/must be an object/);
  });
});

/** Runs `sessions` sessions of 2 turns each, one thread per session, learning every session (k = 1). */
async function runSessions(retention: RetentionPolicy | false | undefined, sessions: number) {
  const checkpointer = new MemorySaver();
  const store = new InMemoryStore();
  let n = 0;
  const model = new ScriptedChatModel({
    replies: [
      (call) =>
        isLearnerCall(call)
          ? updateCall([{ op: "set", field: "Pattern.Usage_Pattern", value: `asks about topic ${n}`, evidence: `topic ${n}` }])
          : "ok",
    ],
    repeatLast: true,
  });
  const graph = createPersonaGraph({ model, updateEvery: 1, semanticGuard: false, ...(retention !== undefined ? { retention } : {}) }).compile({
    checkpointer,
    store,
  });
  for (let i = 0; i < sessions; i++) {
    n = i;
    const run = { configurable: { thread_id: `t${i}` }, context: { userId: "u1" } };
    await graph.invoke({ messages: [new HumanMessage(`tell me about topic ${i}`)] }, run);
    await graph.invoke({ messages: [new HumanMessage(`more on topic ${i}`)] }, run);
    await graph.invoke({ endSession: true }, run);
  }
  return { graph, checkpointer, store, memory: new PersonaMemory(store, "u1") };
}

describe("retention after each learning run", () => {
  it("by default prunes superseded checkpoints of learned threads, old transcripts, versions and learning records", async () => {
    const { graph, checkpointer, memory } = await runSessions(undefined, 25);
    // Every learned thread keeps only its latest checkpoint, and still resumes. The thread whose run
    // did the learning was still saving its checkpoint: it is pruned by the next learning run.
    for (const thread of ["t0", "t12", "t23"]) expect(await checkpointCount(checkpointer, thread)).toBe(1);
    expect(await checkpointCount(checkpointer, "t24")).toBe(3);
    const resumed = await graph.invoke({ messages: [new HumanMessage("back on t0")] }, { configurable: { thread_id: "t0" }, context: { userId: "u1" } });
    expect(resumed.sessionId).toBe("t0#2");
    await graph.invoke({ endSession: true }, { configurable: { thread_id: "t0" }, context: { userId: "u1" } });
    expect(await checkpointCount(checkpointer, "t24")).toBe(1);

    const sessions = await memory.sessions("learned");
    expect(sessions.length).toBe(Math.min(26, DEFAULT_RETENTION.keepSessions));
    const withTranscript = [];
    for (const session of sessions) if (await memory.transcript(session.sessionId)) withTranscript.push(session.sessionId);
    expect(withTranscript).toHaveLength(DEFAULT_RETENTION.keepTranscripts);
    expect(withTranscript).toContain("t0#2"); // the most recent are kept
    expect(withTranscript).not.toContain("t0");
    const history = await memory.history();
    expect(history).toHaveLength(DEFAULT_RETENTION.keepVersions);
    expect(history.at(-1)!.version).toBe((await memory.load()).version); // the current version is kept
    expect((await memory.learningLog()).length).toBeLessThanOrEqual(DEFAULT_RETENTION.keepLearningRecords);
  });

  it("keepThreads deletes the user's older finished threads, never one with an open session", async () => {
    const { checkpointer, memory, graph } = await runSessions({ keepThreads: 3 }, 8);
    // An open session in an old thread's id would be a new thread; open one in a new thread instead.
    await graph.invoke({ messages: [new HumanMessage("still talking")] }, { configurable: { thread_id: "open" }, context: { userId: "u1" } });
    const kept = [];
    for (let i = 0; i < 8; i++) if ((await checkpointCount(checkpointer, `t${i}`)) > 0) kept.push(`t${i}`);
    expect(kept).toEqual(["t5", "t6", "t7"]);
    expect(await checkpointCount(checkpointer, "open")).toBe(1);
    expect((await memory.threads()).map((t) => t.threadId).sort()).toEqual(["open", "t5", "t6", "t7"]);
  });

  it("retention: false keeps every checkpoint, transcript and version", async () => {
    const { checkpointer, memory } = await runSessions(false, 25);
    expect(await checkpointCount(checkpointer, "t0")).toBe(3);
    expect(await memory.history()).toHaveLength(25);
    expect(await memory.transcript("t0")).toBeDefined();
  });
});
