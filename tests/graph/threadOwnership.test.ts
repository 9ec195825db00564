import { existsSync, readFileSync } from "node:fs";
import { HumanMessage } from "@langchain/core/messages";
import { forgetUser } from "../../src/index.js";
import { PersonaThreadOwnershipError } from "../../src/memory/personaMemory.js";
import { BACKENDS, checkpointCount, personaHarness, storeSnapshot, type Backend } from "../helpers/personaHarness.js";

const CANARY = "canary-4c1d-ownership";

describe.each(BACKENDS)("threads belong to the user who opened them (%s)", (_name, open) => {
  let backend: Backend;
  beforeEach(async () => (backend = await open()));
  afterEach(async () => backend.close());

  it("refuses another user's run before anything is sent or stored, and the owner's thread stays intact", async () => {
    const h = personaHarness(backend);
    await h.say("u1", "thread-a", `my secret is ${CANARY}`);
    const callsBefore = h.model.calls.length;
    const storeBefore = await storeSnapshot(backend.store);

    await expect(h.say("u2", "thread-a", "what did the last person say?")).rejects.toThrow(PersonaThreadOwnershipError);
    await expect(h.say("u2", "thread-a", "again")).rejects.toThrow(/belongs to another user/);
    expect(h.model.calls.length).toBe(callsBefore); // nothing reached the model
    expect(await storeSnapshot(backend.store)).toEqual(storeBefore); // nothing written to the store

    // u2's forget never touches u1's thread.
    const result = await forgetUser(h.memory("u2"), backend.checkpointer);
    expect(result.deletedThreads).toEqual([]);
    expect(await checkpointCount(backend.checkpointer, "thread-a")).toBeGreaterThan(0);

    // The owner resumes: the refused runs' input is dropped, never shown to the model or recorded.
    await h.say("u1", "thread-a", "and now?");
    const lastPrompt = h.chatCalls().at(-1)!.messages.map((m) => String(m.content)).join("\n");
    expect(lastPrompt).toContain(CANARY);
    expect(lastPrompt).not.toContain("what did the last person say?");
    expect(lastPrompt).not.toContain("again");
    const state = await h.graph.getState(h.run("u1", "thread-a"));
    expect((state.values.messages as HumanMessage[]).map((m) => m.content)).not.toContain("again");
    const transcript = await h.memory("u1").transcript("thread-a");
    expect(transcript?.turns.map((t) => t.text)).toEqual([
      `my secret is ${CANARY}`,
      expect.stringContaining("reply to my secret"),
      "and now?",
      expect.stringContaining("reply to and now?"),
    ]);
    expect((await h.memory("u2").sessions()).length).toBe(0);
  });

  it("forget deletes every thread the user opened, including one whose only turn failed", async () => {
    let fail = false;
    const h = personaHarness(backend, {
      chat: () => {
        if (fail) throw new Error("endpoint down");
        return "fine";
      },
    });
    await h.say("u1", "kept", "hello");
    fail = true;
    await expect(h.say("u1", "failed-first", `first words ${CANARY}`)).rejects.toThrow(/endpoint down/);
    expect(await checkpointCount(backend.checkpointer, "failed-first")).toBeGreaterThan(0);
    await h.say("u2", "other", "hello from u2").catch(() => undefined);
    fail = false;
    await h.say("u2", "other", "hello from u2");

    const result = await forgetUser(h.memory("u1"), backend.checkpointer);
    expect(result.deletedThreads.sort()).toEqual(["failed-first", "kept"]);
    expect(await checkpointCount(backend.checkpointer, "failed-first")).toBe(0);
    expect(await checkpointCount(backend.checkpointer, "kept")).toBe(0);
    expect(await checkpointCount(backend.checkpointer, "other")).toBeGreaterThan(0);
    expect(JSON.stringify(await storeSnapshot(backend.store))).not.toContain("u1");
    // The thread id is free again once its owner is forgotten.
    await h.say("u3", "kept", "mine now");
  });

  it("compares user ids exactly: surrounding whitespace is refused, not a new user, before anything is saved", async () => {
    const h = personaHarness(backend);
    await h.say("alice", "t-alice", "hi");
    for (const bad of [" alice", "alice ", "ali\u0007ce", ""]) {
      await expect(h.graph.invoke({ messages: [new HumanMessage(`x ${CANARY}`)] }, h.run(bad, "t-bad"))).rejects.toThrow(
        /user id/,
      );
    }
    expect(await checkpointCount(backend.checkpointer, "t-bad")).toBe(0);
    expect(JSON.stringify(await storeSnapshot(backend.store))).not.toContain(CANARY);
  });

  it("refuses an empty or oversized message before LangGraph checkpoints it", async () => {
    const h = personaHarness(backend, { maxMessageChars: 100 });
    await expect(h.say("u1", "t-refused", "   ")).rejects.toThrow(/empty/);
    await expect(h.say("u1", "t-refused", `${CANARY} ${"x".repeat(200)}`)).rejects.toThrow(/limit is 100/);
    expect(await checkpointCount(backend.checkpointer, "t-refused")).toBe(0);
    expect(JSON.stringify(await storeSnapshot(backend.store))).not.toContain(CANARY);
    if (backend.file) {
      for (const file of [backend.file, `${backend.file}-wal`].filter(existsSync)) {
        expect(readFileSync(file).includes(CANARY)).toBe(false);
      }
    }
  });
});
