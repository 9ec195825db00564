import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { createPersonaGraph, PersonaMemory, openPersistence } from "../../src/index.js";
import { SqliteStore } from "../../src/store.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import { isLearnerCall } from "../helpers/learnerReplies.js";
import { describeWithPostgres, freshSchema } from "../store/postgresTestServer.js";
import { checkRaceOutcome, endAllAtOnce, raceLearnerReply, seedSessions } from "./learningRace.js";

const run = promisify(execFile);
const WORKER = resolve(__dirname, "learningWorker.mjs");
const DIST = resolve(__dirname, "../../dist/store/openPersistence.js");
const SESSIONS = 10;

/** Two worker processes end half of the sessions each, at the same moment. */
async function raceInTwoProcesses(location: string, userId: string, ids: string[]): Promise<string[]> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run "npm run build" first (npm test does)`);
  const halves = [ids.filter((_, i) => i % 2 === 0), ids.filter((_, i) => i % 2 === 1)];
  const results = await Promise.all(
    halves.map((half) => run(process.execPath, [WORKER, location, userId, half.join(",")], { timeout: 60000 })),
  );
  return results.map((result) => result.stdout.trim());
}

describe("N sessions of one user ending at once", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "persona-race-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ["InMemoryStore", () => new InMemoryStore()],
    ["SqliteStore", () => new SqliteStore(join(dir, "race.db"))],
  ])("in one process (%s): every session learned exactly once, no change lost", async (_name, makeStore) => {
    const store = makeStore();
    const ids = await seedSessions(store, "u1", SESSIONS);
    await endAllAtOnce(store, "u1", ids);
    // eslint-disable-next-line no-console
    console.log(`one process, ${_name}: ${await checkRaceOutcome(store, "u1", SESSIONS)}`);
  });

  it("in two processes sharing one SQLite file", async () => {
    const db = join(dir, "shared.db");
    const store = new SqliteStore(db);
    const ids = await seedSessions(store, "u1", SESSIONS);
    const workers = await raceInTwoProcesses(db, "u1", ids);
    // eslint-disable-next-line no-console
    console.log(`two processes, SQLite: ${await checkRaceOutcome(store, "u1", SESSIONS)}; workers: ${workers.join(" ")}`);
    store.close();
  });

  it("through the graph: concurrent session ends learn each session once", async () => {
    const model = new ScriptedChatModel({
      replies: [(call) => (isLearnerCall(call) ? raceLearnerReply(call) : "ok")],
      repeatLast: true,
    });
    const store = new SqliteStore(join(dir, "graph.db"));
    const graph = createPersonaGraph({ model, updateEvery: 6 }).compile({ checkpointer: new MemorySaver(), store });
    const config = (i: number) => ({ configurable: { thread_id: `t${i}` }, context: { userId: "u1" } });
    // Opening thread i ends the session of thread i-1: five ended, one open.
    for (let i = 0; i < 6; i++) await graph.invoke({ messages: [new HumanMessage(`my token-${i} please`)] }, config(i));
    await Promise.all(Array.from({ length: 6 }, (_, i) => graph.invoke({ endSession: true }, config(i))));
    const memory = new PersonaMemory(store, "u1");
    const sessions = await memory.sessions();
    expect(sessions.map((s) => s.status)).toEqual(Array(6).fill("learned"));
    const history = await memory.history();
    expect(history.flatMap((v) => v.sessionIds).sort()).toEqual(["t0", "t1", "t2", "t3", "t4", "t5"]);
    expect(history.reduce((sum, v) => sum + v.changes.length, 0)).toBe(6);
    store.close();
  });
});

describeWithPostgres("N sessions of one user ending at once on Postgres", () => {
  it("in one process and in two processes: every session learned exactly once, no change lost", async () => {
    const fresh = await freshSchema("race");
    const persistence = await openPersistence(fresh.url);
    try {
      const local = await seedSessions(persistence.store, "u1", SESSIONS);
      await endAllAtOnce(persistence.store, "u1", local);
      // eslint-disable-next-line no-console
      console.log(`one process, Postgres: ${await checkRaceOutcome(persistence.store, "u1", SESSIONS)}`);

      const shared = await seedSessions(persistence.store, "u2", SESSIONS);
      const workers = await raceInTwoProcesses(fresh.url, "u2", shared);
      // eslint-disable-next-line no-console
      console.log(`two processes, Postgres: ${await checkRaceOutcome(persistence.store, "u2", SESSIONS)}; workers: ${workers.join(" ")}`);
    } finally {
      await persistence.close();
      await fresh.drop();
    }
  });
});
