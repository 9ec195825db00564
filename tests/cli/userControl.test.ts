import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { HumanMessage } from "@langchain/core/messages";
import { createPersonaGraph, PersonaMemory, PersonaExportSchema, openSqlitePersistence } from "../../src/index.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import type { CommandIO } from "../../src/cli/command.js";
import { runHistory } from "../../src/cli/history.js";
import { runDiff } from "../../src/cli/diff.js";
import { runRollback } from "../../src/cli/rollback.js";
import { runExport } from "../../src/cli/export.js";
import { runForget } from "../../src/cli/forget.js";
import { runShow } from "../../src/cli/show.js";
import { promptHistoryPath } from "../../src/cli/repl/promptHistory.js";
import { isLearnerCall, updateCall } from "../helpers/learnerReplies.js";

const CANARY = "zebra-canary-7f3a91";

function captureIO(): CommandIO & { out: () => string; err: () => string } {
  const output = new PassThrough();
  const errors = new PassThrough();
  let out = "";
  let err = "";
  output.on("data", (chunk) => (out += chunk));
  errors.on("data", (chunk) => (err += chunk));
  return { input: new PassThrough(), output, errors, interactive: false, out: () => out, err: () => err };
}

/** Three learned versions for "alice" (the canary is in her words, persona and checkpoints) and one for "alice2". */
async function seed(db: string): Promise<void> {
  const persistence = openSqlitePersistence(db);
  const learned = [
    [{ op: "set", field: "Demographics.Name", value: "Alice", evidence: "my name is Alice" }],
    [{ op: "set", field: "Pattern.Purchase_Pattern", value: `collects ${CANARY} stamps`, evidence: `I collect ${CANARY} stamps` }],
    [{ op: "set", field: "Demographics.Name", value: "Ally", evidence: "call me Ally" }],
    [{ op: "set", field: "Demographics.Name", value: "Bob", evidence: "I am Bob" }],
  ];
  let learnerCalls = 0;
  const model = new ScriptedChatModel({
    replies: [(call) => (isLearnerCall(call) ? updateCall(learned[learnerCalls++]!) : "noted")],
    repeatLast: true,
  });
  const graph = createPersonaGraph({ model, updateEvery: 1 }).compile({
    checkpointer: persistence.checkpointer,
    store: persistence.store,
  });
  const turn = (userId: string, thread: string, text: string) =>
    graph.invoke({ messages: [new HumanMessage(text)], endSession: true }, { configurable: { thread_id: thread }, context: { userId } });
  await turn("alice", "a1", "hello, my name is Alice");
  await turn("alice", "a2", `I collect ${CANARY} stamps`);
  await turn("alice", "a3", "please call me Ally");
  await turn("alice2", "b1", "I am Bob");
  persistence.close();
}

describe("persona history / diff / rollback / export / forget", () => {
  let dir: string;
  let db: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "persona-control-"));
    db = join(dir, "persona.db");
    await seed(db);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("history lists every version with changes and evidence", async () => {
    const io = captureIO();
    await runHistory({ user: "alice", db }, io);
    expect(io.out()).toMatch(/version 1 .* learning, sessions a1/);
    expect(io.out()).toMatch(/version 3 .*\n\s+~ Demographics\.Name: "Alice" -> "Ally"/);
    expect(io.out()).toContain('evidence for Demographics.Name: "call me Ally"');
    const json = captureIO();
    await runHistory({ user: "alice", db, json: true }, json);
    expect(JSON.parse(json.out()).versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
  });

  it("diff shows field-level differences and rejects unknown versions", async () => {
    const io = captureIO();
    await runDiff({ user: "alice", db, from: "1", to: "3" }, io);
    expect(io.out()).toBe(`~ Demographics.Name: "Alice" -> "Ally"\n+ Pattern.Purchase_Pattern: "collects ${CANARY} stamps"\n`);
    await expect(runDiff({ user: "alice", db, from: "9" }, captureIO())).rejects.toThrow(/no version 9/);
    await expect(runDiff({ user: "alice", db, from: "x" }, captureIO())).rejects.toThrow(/--from must be a version number/);
  });

  it("rollback is a new version and history keeps the old ones", async () => {
    const io = captureIO();
    await runRollback({ user: "alice", db, to: "1" }, io);
    expect(io.out()).toContain("version 4 restores version 1");
    const persistence = openSqlitePersistence(db);
    try {
      const memory = new PersonaMemory(persistence.store, "alice");
      const current = await memory.load();
      expect(current).toMatchObject({ version: 4, persona: { Demographics: { Name: "Alice" } } });
      const history = await memory.history();
      expect(history.map((v) => [v.version, v.source])).toEqual([
        [1, "learning"],
        [2, "learning"],
        [3, "learning"],
        [4, "rollback"],
      ]);
      expect(await new PersonaMemory(persistence.store, "alice2").load()).toMatchObject({ version: 1 });
    } finally {
      persistence.close();
    }
    await expect(runRollback({ user: "alice", db, to: "4" }, captureIO())).rejects.toThrow(/already equals/);
    await expect(runRollback({ user: "alice", db }, captureIO())).rejects.toThrow(/--to <version> is required/);
  });

  it("export is schema-valid JSON of persona, history, sessions and learning log", async () => {
    const io = captureIO();
    await runExport({ user: "alice", db }, io);
    const exported = PersonaExportSchema.parse(JSON.parse(io.out()));
    expect(exported.persona.version).toBe(3);
    expect(exported.history).toHaveLength(3);
    expect(exported.sessions.map((s) => s.sessionId)).toEqual(["a1", "a2", "a3"]);
    expect(exported.sessions[1]!.transcript[0]!.messages[0]!.text).toContain(CANARY);
    expect(exported.learningLog.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(exported)).not.toContain("Bob");
  });

  it("forget needs --yes, then leaves no byte of the canary in the SQLite files and keeps other users", async () => {
    await expect(runForget({ user: "alice", db }, captureIO())).rejects.toThrow(/--yes/);
    const before = readFileSync(db).toString("latin1") + (existsSync(`${db}-wal`) ? readFileSync(`${db}-wal`).toString("latin1") : "");
    expect(before).toContain(CANARY); // the test would prove nothing otherwise
    const io = captureIO();
    await runForget({ user: "alice", db, yes: true }, io);
    expect(io.out()).toMatch(/forgot user "alice": \d+ stored items and 3 threads deleted/);
    for (const file of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`]) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(CANARY, "utf8"))).toBe(false);
      expect(bytes.includes(Buffer.from(CANARY, "utf16le"))).toBe(false);
    }
    const persistence = openSqlitePersistence(db);
    try {
      expect(await new PersonaMemory(persistence.store, "alice").load()).toMatchObject({ version: 0 });
      expect(await new PersonaMemory(persistence.store, "alice").sessions()).toEqual([]);
      expect(await persistence.checkpointer.getTuple({ configurable: { thread_id: "a2" } })).toBeUndefined();
      expect(await persistence.checkpointer.getTuple({ configurable: { thread_id: "b1" } })).toBeDefined();
      expect(await new PersonaMemory(persistence.store, "alice2").load()).toMatchObject({ version: 1 });
    } finally {
      persistence.close();
    }
    const show = captureIO();
    await runShow({ user: "alice", db }, show);
    expect(JSON.parse(show.out())).toMatchObject({ version: 0, persona: {} });
  });

  it("forget deletes the user's prompt history file and keeps other users' files", async () => {
    const alice = promptHistoryPath(db, "alice");
    const alice2 = promptHistoryPath(db, "alice2");
    mkdirSync(join(alice, ".."), { recursive: true });
    writeFileSync(alice, `${JSON.stringify(`I collect ${CANARY} stamps`)}\n`);
    writeFileSync(alice2, `${JSON.stringify("I am Bob")}\n`);
    const io = captureIO();
    await runForget({ user: "alice", db, yes: true }, io);
    expect(existsSync(alice)).toBe(false);
    expect(existsSync(alice2)).toBe(true);
    expect(io.out()).toContain(`deleted the prompt history ${alice}`);
    // No history file (e.g. --no-history) is not an error.
    await runForget({ user: "alice", db, yes: true }, captureIO());
  });

  it("commands on a missing database fail without creating it", async () => {
    const missing = join(dir, "nope.db");
    await expect(runHistory({ user: "alice", db: missing }, captureIO())).rejects.toThrow(/no database at/);
    expect(existsSync(missing)).toBe(false);
  });
});
