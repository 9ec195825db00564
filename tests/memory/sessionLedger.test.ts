import { InMemoryStore } from "@langchain/langgraph";
import { resolvePersonaSettings, learnPersona } from "../../src/learning.js";
import { PersonaMemory } from "../../src/index.js";
import { transcriptNamespace } from "../../src/store.js";
import { turnKey } from "../../src/memory/namespaces.js";
import { ScriptedChatModel, type ScriptedCall } from "../../src/testing/index.js";
import { updateCall } from "../helpers/learnerReplies.js";

const turn = (index: number, text: string) => ({ index, messages: [{ role: "user" as const, text }, { role: "assistant" as const, text: `ok ${index}` }] });

function learner() {
  const prompts: string[] = [];
  const model = new ScriptedChatModel({
    replies: [
      (call: ScriptedCall) => {
        prompts.push(call.messages.map((m) => String(m.content)).join("\n"));
        return updateCall([]);
      },
    ],
    repeatLast: true,
  });
  return { prompts, settings: resolvePersonaSettings({ model, updateEvery: 1 }) };
}

describe("the session ledger", () => {
  it("has no session before its first turn is recorded, and a new session ends the user's open one", async () => {
    const memory = new PersonaMemory(new InMemoryStore(), "u1");
    expect(await memory.sessions()).toEqual([]);
    const first = await memory.recordTurn({ sessionId: "a", threadId: "a", newSession: true, turn: turn(0, "hello") });
    expect(first).toMatchObject({ pendingCount: 0, endedSessionIds: [], session: { status: "open", turns: 1 } });
    const second = await memory.recordTurn({ sessionId: "b", threadId: "b", newSession: true, turn: turn(0, "hi") });
    expect(second.endedSessionIds).toEqual(["a"]);
    expect(second.pendingCount).toBe(1);
    expect(await memory.getSession("a")).toMatchObject({ status: "ended", endReason: "new_thread", turns: 1, learnedTurns: 0 });
  });

  it("learns a turn recorded after its session was learned in the next run, never twice and never dropped", async () => {
    const memory = new PersonaMemory(new InMemoryStore(), "u1");
    const { prompts, settings } = learner();
    await memory.recordTurn({ sessionId: "a", threadId: "a", newSession: true, turn: turn(0, "first words") });
    await memory.endSession("a", "new_thread");
    expect((await learnPersona(memory, settings)).record?.sessionIds).toEqual(["a"]);
    expect(await memory.getSession("a")).toMatchObject({ status: "learned", turns: 1, learnedTurns: 1 });

    // A turn that was in flight when the session ended and was learned.
    const late = await memory.recordTurn({ sessionId: "a", threadId: "a", turn: turn(1, "late words") });
    expect(late.session).toMatchObject({ status: "ended", turns: 2, learnedTurns: 1 });
    expect((await memory.pendingSessions()).map((s) => s.sessionId)).toEqual(["a"]);
    await learnPersona(memory, settings);
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).toContain("first words");
    expect(prompts[1]).toContain("late words");
    expect(prompts[1]).not.toContain("first words");
    expect(await memory.getSession("a")).toMatchObject({ status: "learned", turns: 2, learnedTurns: 2 });
    expect(await memory.pendingSessions()).toEqual([]);
  });

  it("leaves turns recorded while the learner ran for the next run", async () => {
    const store = new InMemoryStore();
    const memory = new PersonaMemory(store, "u1");
    await memory.recordTurn({ sessionId: "a", threadId: "a", newSession: true, turn: turn(0, "one"), endSession: true });
    // The learner read one turn; a second one lands before its commit.
    const result = await memory.commitVersion({
      source: "learning",
      sessionIds: ["a"],
      turnsRead: { a: 1 },
      build: (current) => ({ persona: current.persona, changes: [], rejected: [] }),
    });
    expect(result.claimedSessionIds).toEqual(["a"]);
    await memory.recordTurn({ sessionId: "a", threadId: "a", turn: turn(1, "two") });
    expect(await memory.pendingSessions()).toMatchObject([{ sessionId: "a", turns: 2, learnedTurns: 1 }]);
    // And with the commit racing the write the other way round: turns read < turns recorded.
    await memory.recordTurn({ sessionId: "b", threadId: "b", newSession: true, turn: turn(0, "b0") });
    await memory.recordTurn({ sessionId: "b", threadId: "b", turn: turn(1, "b1"), endSession: true });
    await memory.commitVersion({
      source: "learning",
      sessionIds: ["b"],
      turnsRead: { b: 1 },
      build: (current) => ({ persona: current.persona, changes: [], rejected: [] }),
    });
    expect((await memory.pendingSessions()).find((s) => s.sessionId === "b")).toMatchObject({ turns: 2, learnedTurns: 1 });
  });

  it("never counts or learns a discarded session, and drops a late turn for it", async () => {
    const memory = new PersonaMemory(new InMemoryStore(), "u1");
    const { prompts, settings } = learner();
    await memory.recordTurn({ sessionId: "scene-1", threadId: "scene-1", newSession: true, turn: turn(0, "half a scene"), endSession: true });
    expect(await memory.discardSession("scene-1", "interrupted scene")).toBe(true);
    expect(await memory.pendingSessions()).toEqual([]);
    expect(await memory.getSession("scene-1")).toMatchObject({ status: "discarded", discardReason: "interrupted scene" });
    const late = await memory.recordTurn({ sessionId: "scene-1", threadId: "scene-1", turn: turn(1, "late") });
    expect(late.pendingCount).toBe(0);
    expect(await learnPersona(memory, settings)).toMatchObject({ version: 0 });
    expect(prompts).toEqual([]);
  });

  it("never claims a session whose recorded turns cannot be read: it is discarded with the reason", async () => {
    const store = new InMemoryStore();
    const memory = new PersonaMemory(store, "u1");
    const { prompts, settings } = learner();
    await memory.recordTurn({ sessionId: "a", threadId: "a", newSession: true, turn: turn(0, "real words"), endSession: true });
    await store.put(transcriptNamespace("u1", "a"), turnKey(0), { garbage: true });
    const result = await learnPersona(memory, settings);
    expect(result.record).toBeUndefined();
    expect(prompts).toEqual([]);
    expect(await memory.getSession("a")).toMatchObject({ status: "discarded", discardReason: "no readable transcript" });
    expect(memory.problems.map((p) => p.key)).toContain(turnKey(0));
  });
});
