import { recordSession } from "../helpers/sessions.js";
import { InMemoryStore, type BaseStore } from "@langchain/langgraph";
import { PersonaMemory } from "../../src/index.js";
import { SqliteStore } from "../../src/store.js";

const stores: Array<[string, () => BaseStore]> = [
  ["InMemoryStore", () => new InMemoryStore()],
  ["SqliteStore", () => new SqliteStore(":memory:")],
];

describe.each(stores)("PersonaMemory.commitVersion on %s", (_name, makeStore) => {
  async function endedSessions(memory: PersonaMemory, ids: string[]) {
    for (const id of ids) await recordSession(memory, id);
  }

  it("writes a version with its history entry and marks the sessions learned", async () => {
    const memory = new PersonaMemory(makeStore(), "u1");
    await endedSessions(memory, ["s1", "s2"]);
    const result = await memory.commitVersion({
      source: "learning",
      sessionIds: ["s1", "s2"],
      build: (current) => ({
        persona: { ...current.persona, Demographics: { Name: "Ann" } },
        changes: [{ op: "set", field: "Demographics.Name", value: "Ann", evidence: "I'm Ann" }],
        rejected: [{ change: { field: "x" }, reason: "unknown field" }],
      }),
    });
    expect(result.version?.version).toBe(1);
    expect(result.claimedSessionIds).toEqual(["s1", "s2"]);
    expect(await memory.load()).toMatchObject({ version: 1, persona: { Demographics: { Name: "Ann" } } });
    const [entry] = await memory.history();
    expect(entry).toMatchObject({
      version: 1,
      parentVersion: 0,
      source: "learning",
      sessionIds: ["s1", "s2"],
      rejected: [{ reason: "unknown field" }],
      persona: { Demographics: { Name: "Ann" } },
    });
    expect((await memory.sessions("learned")).map((s) => [s.sessionId, s.learnedInVersion])).toEqual([
      ["s1", 1],
      ["s2", 1],
    ]);
  });

  it("claims each session once, even when asked again", async () => {
    const memory = new PersonaMemory(makeStore(), "u1");
    await endedSessions(memory, ["s1"]);
    const draft = () => ({
      persona: { Demographics: { Name: "Ann" } },
      changes: [{ op: "set" as const, field: "Demographics.Name", value: "Ann", evidence: "Ann" }],
      rejected: [],
    });
    await memory.commitVersion({ source: "learning", sessionIds: ["s1"], build: draft });
    const again = await memory.commitVersion({ source: "learning", sessionIds: ["s1"], build: draft });
    expect(again.version).toBeUndefined();
    expect(again.alreadyLearned).toEqual(["s1"]);
    expect(await memory.history()).toHaveLength(1);
  });

  it("loses no change when many learners commit at once", async () => {
    const memory = new PersonaMemory(makeStore(), "u1");
    const ids = Array.from({ length: 12 }, (_, i) => `s${i}`);
    await endedSessions(memory, ids);
    await Promise.all(
      ids.map((id) =>
        new PersonaMemory(memory.store, "u1").commitVersion({
          source: "learning",
          sessionIds: [id],
          build: (current) => {
            const interests = [...(((current.persona.Personality as Record<string, string[]>) ?? {}).Values_and_Interests ?? []), id];
            return {
              persona: { Personality: { Values_and_Interests: interests } },
              changes: [{ op: "set", field: "Personality.Values_and_Interests", value: interests, evidence: id }],
              rejected: [],
            };
          },
        }),
      ),
    );
    const document = await memory.load();
    expect(document.version).toBe(12);
    expect([...(document.persona.Personality as { Values_and_Interests: string[] }).Values_and_Interests].sort()).toEqual(
      [...ids].sort(),
    );
    const history = await memory.history();
    expect(history.map((v) => v.version)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(history.flatMap((v) => v.sessionIds).sort()).toEqual([...ids].sort());
    expect(await memory.sessions("ended")).toEqual([]);
  });

  it("ends a session once and tells the second caller", async () => {
    const memory = new PersonaMemory(makeStore(), "u1");
    await recordSession(memory, "s1", { threadId: "t1", end: false });
    const results = await Promise.all([memory.endSession("s1", "explicit"), memory.endSession("s1", "new_thread")]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await memory.endSession("missing", "explicit")).toBe(false);
  });

  it("keeps users apart, including ids that are prefixes of each other or contain separators", async () => {
    const store = makeStore();
    const ids = ["u1", "u10", "a.b", "a:b", "a/b", "a%2Eb", "用户"];
    for (const id of ids) {
      const memory = new PersonaMemory(store, id);
      await recordSession(memory, `s-${id}`, { threadId: "t" });
      await memory.commitVersion({
        source: "manual",
        build: () => ({
          persona: { Pattern: { Usage_Pattern: id } },
          changes: [{ op: "set", field: "Pattern.Usage_Pattern", value: id, evidence: id }],
          rejected: [],
        }),
      });
    }
    for (const id of ids) {
      const memory = new PersonaMemory(store, id);
      expect((await memory.load()).persona).toEqual({ Pattern: { Usage_Pattern: id } });
      expect((await memory.sessions()).map((s) => s.sessionId)).toEqual([`s-${id}`]);
      expect(await memory.history()).toHaveLength(1);
    }
  });

  it("rejects unusable user ids with a clear message", () => {
    const store = makeStore();
    expect(() => new PersonaMemory(store, "")).toThrow(/non-empty/);
    expect(() => new PersonaMemory(store, "a\u0000b")).toThrow(/control characters/);
    expect(() => new PersonaMemory(store, "x".repeat(257))).toThrow(/longer than 256/);
  });
});
