import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { HumanMessage } from "@langchain/core/messages";
import {
  Annotation,
  Command,
  END,
  interrupt,
  MemorySaver,
  MessagesDeltaValue,
  START,
  StateGraph,
  StateSchema,
  type BaseCheckpointSaver,
} from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { checkpointPrunerFor } from "../../src/store.js";
import { openSqlitePersistence, type SqlitePersistence, openPersistence, PersistenceError } from "../../src/index.js";
import { openPostgresPersistence } from "../../src/postgres.js";
import { freshSchema, postgresAvailable, POSTGRES_TEST_URL } from "./postgresTestServer.js";

/** Row counts straight from each saver's storage, independent of the pruner. */
interface Backend {
  checkpointer: BaseCheckpointSaver;
  count(threadId: string): Promise<{ checkpoints: number; writes: number; blobs: number }>;
  close(): Promise<void>;
}

const State = Annotation.Root({
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  turns: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
});

/** Three supersteps per turn, one of them a subgraph (its own checkpoint namespace). */
function buildGraph(checkpointer: BaseCheckpointSaver) {
  const child = new StateGraph(State)
    .addNode("inner", (state) => ({ log: [`inner saw ${state.log.length}`] }))
    .addEdge(START, "inner")
    .addEdge("inner", END)
    .compile();
  return new StateGraph(State)
    .addNode("first", (state) => ({ log: [`first ${state.turns}`], turns: 1 }))
    .addNode("child", child)
    .addNode("last", () => ({ log: ["last"] }))
    .addEdge(START, "first")
    .addEdge("first", "child")
    .addEdge("child", "last")
    .addEdge("last", END)
    .compile({ checkpointer });
}

function buildInterruptGraph(checkpointer: BaseCheckpointSaver) {
  return new StateGraph(State)
    .addNode("prepare", () => ({ log: ["prepared"] }))
    .addNode("ask", () => {
      const answer = interrupt<string, string>("approve?");
      return { log: [`answer ${answer}`] };
    })
    .addEdge(START, "prepare")
    .addEdge("prepare", "ask")
    .addEdge("ask", END)
    .compile({ checkpointer });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

function memoryBackend(): Backend {
  const saver = new MemorySaver();
  return {
    checkpointer: saver,
    count: async (threadId) => {
      const checkpoints = Object.values(saver.storage[threadId] ?? {}).reduce((n, ns) => n + Object.keys(ns).length, 0);
      const writes = Object.entries(saver.writes)
        .filter(([key]) => (JSON.parse(key) as string[])[0] === threadId)
        .reduce((n, [, entries]) => n + Object.keys(entries).length, 0);
      return { checkpoints, writes, blobs: 0 };
    },
    close: async () => undefined,
  };
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), "persona-prune-"));
  const persistence: SqlitePersistence = openSqlitePersistence(join(dir, "prune.db"));
  const rows = (table: string, threadId: string) =>
    (persistence.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE thread_id = ?`).get(threadId) as { n: number }).n;
  return {
    checkpointer: persistence.checkpointer,
    count: async (threadId) => ({ checkpoints: rows("checkpoints", threadId), writes: rows("writes", threadId), blobs: 0 }),
    close: async () => {
      persistence.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresBackend(plainSaver = false): Promise<Backend> {
  const fresh = await freshSchema("prune");
  const persistence = await openPostgresPersistence(fresh.url);
  let checkpointer: BaseCheckpointSaver = persistence.checkpointer;
  let extraPool: pg.Pool | undefined;
  if (plainSaver) {
    // LangGraph's own class, as an application would create it.
    extraPool = new pg.Pool({ connectionString: POSTGRES_TEST_URL });
    checkpointer = new PostgresSaver(extraPool, undefined, { schema: fresh.schema });
  }
  const rows = async (table: string, threadId: string) =>
    Number((await persistence.pool.query(`SELECT count(*) AS n FROM "${fresh.schema}".${table} WHERE thread_id = $1`, [threadId])).rows[0].n);
  return {
    checkpointer,
    count: async (threadId) => ({
      checkpoints: await rows("checkpoints", threadId),
      writes: await rows("checkpoint_writes", threadId),
      blobs: await rows("checkpoint_blobs", threadId),
    }),
    close: async () => {
      await extraPool?.end();
      await persistence.close();
      await fresh.drop();
    },
  };
}

const backends: Array<[string, () => Backend | Promise<Backend>]> = [
  ["MemorySaver", memoryBackend],
  ["SqliteSaver", sqliteBackend],
];
if (postgresAvailable) {
  backends.push(["PostgresSaver (openPostgresPersistence)", () => postgresBackend(false)]);
  backends.push(["PostgresSaver (created by the application)", () => postgresBackend(true)]);
} else {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the PostgresSaver pruner tests: no Postgres at ${POSTGRES_TEST_URL}. Start it or set PERSONA_TEST_POSTGRES_URL.`);
  it.skip("PostgresSaver pruner (no Postgres server)", () => undefined);
}

describe.each(backends)("checkpoint pruning on %s", (_name, open) => {
  let backend: Backend;
  beforeEach(async () => {
    backend = await open();
  });
  afterEach(async () => {
    await backend.close();
  });

  it("keeps only the latest checkpoint of each namespace; the thread resumes and getState is unchanged", async () => {
    const graph = buildGraph(backend.checkpointer);
    const config = { configurable: { thread_id: "t1" } };
    for (let i = 0; i < 3; i++) await graph.invoke({ log: [`input ${i}`] }, config);
    await graph.invoke({ log: ["other"] }, { configurable: { thread_id: "t2" } });
    const stateBefore = await graph.getState(config);
    const all = await collect(backend.checkpointer.list(config));
    const namespaces = new Set(all.map((tuple) => tuple.config.configurable?.checkpoint_ns ?? ""));
    expect(namespaces.size).toBeGreaterThan(1); // the subgraph wrote its own namespaces
    const before = await backend.count("t1");
    const otherBefore = await backend.count("t2");
    expect(before.checkpoints).toBe(all.length);

    const pruner = checkpointPrunerFor(backend.checkpointer)!;
    expect(pruner).toBeDefined();
    const result = await pruner.pruneThread("t1");

    const after = await backend.count("t1");
    expect(result.skipped).toBeUndefined();
    expect(result.checkpoints).toBe(before.checkpoints - after.checkpoints);
    expect(result.writes).toBe(before.writes - after.writes);
    expect(result.blobs).toBe(before.blobs - after.blobs);
    expect(after.checkpoints).toBe(namespaces.size);
    expect(result.checkpoints).toBeGreaterThan(0);
    expect(result.writes).toBeGreaterThan(0);
    expect(await backend.count("t2")).toEqual(otherBefore);

    const stateAfter = await graph.getState(config);
    expect(stateAfter.values).toEqual(stateBefore.values);
    expect(stateAfter.config.configurable?.checkpoint_id).toBe(stateBefore.config.configurable?.checkpoint_id);
    // The kept checkpoint still names its (deleted) parent; nothing dereferences it.
    expect(stateAfter.parentConfig?.configurable?.checkpoint_id).toBeDefined();
    expect(await backend.checkpointer.getTuple(stateAfter.parentConfig!)).toBeUndefined();
    const history = await collect(graph.getStateHistory(config));
    expect(history).toHaveLength(1);
    expect(history[0]!.values).toEqual(stateBefore.values);

    // The pruned thread goes on exactly like a twin that was never pruned.
    const twin = { configurable: { thread_id: "twin" } };
    for (let i = 0; i < 3; i++) await graph.invoke({ log: [`input ${i}`] }, twin);
    const next = await graph.invoke({ log: ["input 3"] }, config);
    expect(next).toEqual(await graph.invoke({ log: ["input 3"] }, twin));
    expect(next.log.slice(0, stateBefore.values.log.length)).toEqual(stateBefore.values.log);
    expect((await collect(graph.getStateHistory(config))).length).toBeGreaterThan(1);

    expect(await pruner.pruneThread("t1")).toMatchObject({ checkpoints: expect.any(Number) });
    const again = await pruner.pruneThread("t1");
    expect(again).toEqual({ checkpoints: 0, writes: 0, blobs: 0 });
    expect((await graph.getState(config)).values).toEqual(next);
  });

  it("keeps the pending writes of an interrupted run, so it resumes after pruning", async () => {
    const graph = buildInterruptGraph(backend.checkpointer);
    const config = { configurable: { thread_id: "ask" } };
    await graph.invoke({ log: ["start"] }, config);
    await graph.invoke(new Command({ resume: "first" }), config);
    await graph.invoke({ log: ["again"] }, config); // interrupted a second time
    const waiting = await graph.getState(config);
    expect(waiting.tasks[0]?.interrupts[0]?.value).toBe("approve?");
    const result = await checkpointPrunerFor(backend.checkpointer)!.pruneThread("ask");
    expect(result.checkpoints).toBeGreaterThan(0);
    const stillWaiting = await graph.getState(config);
    expect(stillWaiting.tasks[0]?.interrupts[0]?.value).toBe("approve?");
    expect(stillWaiting.next).toEqual(["ask"]);
    const done = await graph.invoke(new Command({ resume: "second" }), config);
    expect(done.log).toEqual(["start", "prepared", "answer first", "again", "prepared", "answer second"]);
  });

  it("skips a thread whose latest checkpoint rebuilds a DeltaChannel from its ancestors", async () => {
    const DeltaState = new StateSchema({ messages: MessagesDeltaValue });
    const graph = new StateGraph(DeltaState)
      .addNode("echo", (state) => ({ messages: [new HumanMessage(`echo ${state.messages.length}`)] }))
      .addEdge(START, "echo")
      .addEdge("echo", END)
      .compile({ checkpointer: backend.checkpointer });
    const config = { configurable: { thread_id: "delta" } };
    for (let i = 0; i < 3; i++) await graph.invoke({ messages: [new HumanMessage(`hi ${i}`)] }, config);
    const before = await graph.getState(config);
    expect(before.values.messages).toHaveLength(6);
    const counts = await backend.count("delta");
    const result = await checkpointPrunerFor(backend.checkpointer)!.pruneThread("delta");
    expect(result).toMatchObject({ checkpoints: 0, writes: 0, blobs: 0, skipped: expect.stringMatching(/DeltaChannel/) });
    expect(await backend.count("delta")).toEqual(counts);
    expect((await graph.getState(config)).values.messages.map((m: HumanMessage) => m.content)).toEqual(
      before.values.messages.map((m: HumanMessage) => m.content),
    );
  });

  it("deleteThread removes every checkpoint, write and value of the thread only", async () => {
    const graph = buildGraph(backend.checkpointer);
    await graph.invoke({ log: ["a"] }, { configurable: { thread_id: "gone" } });
    await graph.invoke({ log: ["b"] }, { configurable: { thread_id: "kept" } });
    const kept = await backend.count("kept");
    await checkpointPrunerFor(backend.checkpointer)!.deleteThread("gone");
    expect(await backend.count("gone")).toEqual({ checkpoints: 0, writes: 0, blobs: 0 });
    expect(await backend.count("kept")).toEqual(kept);
    expect((await graph.getState({ configurable: { thread_id: "gone" } })).values).toEqual({});
  });

  it("pruning a thread that does not exist deletes nothing", async () => {
    expect(await checkpointPrunerFor(backend.checkpointer)!.pruneThread("never")).toEqual({ checkpoints: 0, writes: 0, blobs: 0 });
  });
});

describe("checkpointPrunerFor", () => {
  it("a prune that fails names the database", async () => {
    const dir = mkdtempSync(join(tmpdir(), "persona-prune-ro-"));
    try {
      const path = join(dir, "ro.db");
      const writer = openSqlitePersistence(path);
      const graph = buildGraph(writer.checkpointer);
      for (let i = 0; i < 2; i++) await graph.invoke({ log: [`x${i}`] }, { configurable: { thread_id: "t" } });
      writer.close();
      const reader = await openPersistence(path, { readOnly: true });
      const failure = await checkpointPrunerFor(reader.checkpointer)!.pruneThread("t").catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PersistenceError);
      expect((failure as Error).message).toContain(path);
      await reader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });


  it("returns undefined for a saver it does not know, and for none", () => {
    class OtherSaver extends MemorySaver {}
    expect(checkpointPrunerFor(undefined)).toBeUndefined();
    expect(checkpointPrunerFor(new OtherSaver())).toBeDefined(); // a subclass keeps MemorySaver's storage
    const foreign = { getTuple: async () => undefined } as unknown as BaseCheckpointSaver;
    expect(checkpointPrunerFor(foreign)).toBeUndefined();
  });
});
