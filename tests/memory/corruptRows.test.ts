import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { runDoctor } from "../../src/cli/doctor.js";
import { runExport } from "../../src/cli/export.js";
import { runHistory } from "../../src/cli/history.js";
import {
  createPersonaGraph,
  PersonaExportSchema,
  PersonaMemory,
  openSqlitePersistence,
  type SqlitePersistence,
} from "../../src/index.js";
import { historyNamespace, personaNamespace } from "../../src/store.js";
import { versionKey } from "../../src/memory/namespaces.js";
import { encodeNamespace } from "../../src/store/storeSemantics.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import { isLearnerCall, systemPromptOf, updateCall } from "../helpers/learnerReplies.js";
import { recordSession } from "../helpers/sessions.js";

function captureIO() {
  let out = "";
  let err = "";
  return {
    io: {
      input: process.stdin,
      output: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
      errors: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
      interactive: false,
    },
    out: () => out,
    err: () => err,
  };
}

/**
 * Overwrites a stored row's raw text, as a careless hand edit would. (Text that
 * is not JSON cannot be written: SQLite computes the row's revision from it.)
 */
function corrupt(persistence: SqlitePersistence, namespace: string[], key: string, text: string): void {
  const changed = persistence.db
    .prepare("UPDATE store_items SET value = ? WHERE ns = ? AND key = ?")
    .run(text, encodeNamespace(namespace), key).changes;
  if (changed !== 1) throw new Error(`no row ${namespace.join("/")} ${key}`);
}

describe("corrupt or hostile stored rows do not stop the chat", () => {
  let dir: string;
  let db: string;
  let persistence: SqlitePersistence;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "persona-corrupt-"));
    db = join(dir, "persona.db");
    persistence = openSqlitePersistence(db);
    const memory = new PersonaMemory(persistence.store, "alice");
    for (const [i, name] of ["Alice", "Ally"].entries()) {
      await recordSession(memory, `s${i}`);
      await memory.commitVersion({
        source: "learning",
        sessionIds: [`s${i}`],
        build: (current) => ({
          persona: { ...current.persona, Demographics: { Name: name } },
          changes: [{ op: "set", field: "Demographics.Name", value: name, evidence: "hello" }],
          rejected: [],
        }),
      });
    }
  });
  afterEach(() => {
    persistence.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function chat() {
    const model = new ScriptedChatModel({
      replies: [(call) => (isLearnerCall(call) ? updateCall([{ op: "set", field: "Demographics.Gender", value: "woman", evidence: "I am a woman" }]) : "ok")],
      repeatLast: true,
    });
    const graph = createPersonaGraph({ model, updateEvery: 1 }).compile({ checkpointer: new MemorySaver(), store: persistence.store });
    const run = (thread: string) => ({ configurable: { thread_id: thread }, context: { userId: "alice" } });
    return { model, graph, run };
  }

  it.each([
    ["an array", "[1,2,3]"],
    ["null", "null"],
    ["a persona of another user", JSON.stringify({ userId: "mallory", version: 9, persona: { Demographics: { Name: "Mallory" } }, updatedAt: "x", rev: 3 })],
    ["a version that is not a number", JSON.stringify({ userId: "alice", version: "two", persona: {}, updatedAt: "x", rev: 3 })],
  ])("an unusable current persona (%s): the chat answers as with an empty persona, warns naming the row, and the next version never reuses a key", async (_label, text) => {
    corrupt(persistence, personaNamespace("alice"), "current", text);
    const { model, graph, run } = chat();
    const result = await graph.invoke({ messages: [new HumanMessage("I am a woman")] }, run("t1"));
    expect(result.messages.at(-1)?.content).toBe("ok");
    expect(systemPromptOf(model.calls[0]!)).not.toMatch(/Alice|Ally|Mallory/);
    expect(result.memoryWarnings).toEqual([expect.stringContaining("persona/alice [current]")]);

    await graph.invoke({ endSession: true }, run("t1"));
    const memory = new PersonaMemory(persistence.store, "alice");
    const current = await memory.load();
    // Numbered on from the history (versions 1 and 2 exist), built from nothing: the bad row is not copied forward.
    expect(current).toMatchObject({ version: 3, persona: { Demographics: { Gender: "woman" } } });
    expect(JSON.stringify(current.persona)).not.toMatch(/Ally|Mallory/);
    expect((await memory.history()).map((v) => v.version)).toEqual([1, 2, 3]);
    const quarantined = await memory.quarantined();
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]!.value).toMatchObject({ key: "current", reason: expect.stringMatching(/does not fit|belongs to user/) });
  });

  it("a value that breaks the schema is never rendered nor carried into the next version", async () => {
    const stored = { userId: "alice", version: 2, persona: { Demographics: { Name: "Ally", Age: "very old" } }, updatedAt: "x", rev: 2 };
    corrupt(persistence, personaNamespace("alice"), "current", JSON.stringify(stored));
    const { model, graph, run } = chat();
    const result = await graph.invoke({ messages: [new HumanMessage("I am a woman")] }, run("t1"));
    const prompt = systemPromptOf(model.calls[0]!);
    expect(prompt).toContain("Ally");
    expect(prompt).not.toContain("very old");
    expect(result.memoryWarnings).toEqual([expect.stringContaining("field Demographics.Age left out")]);
    await graph.invoke({ endSession: true }, run("t1"));
    expect((await new PersonaMemory(persistence.store, "alice").load()).persona).toEqual({
      Demographics: { Name: "Ally", Gender: "woman" },
    });
  });

  it("one bad history row: history and export skip and report it instead of failing; doctor repairs it", async () => {
    corrupt(persistence, historyNamespace("alice"), versionKey(1), '{"version": "one", "persona": []}');
    const history = captureIO();
    await runHistory({ user: "alice", db }, history.io);
    expect(history.out()).toMatch(/version 2 /);
    expect(history.err()).toMatch(/persona\/alice\/history \[0000000001\]: does not fit/);

    const exported = captureIO();
    await runExport({ user: "alice", db }, exported.io);
    const document = PersonaExportSchema.parse(JSON.parse(exported.out()));
    expect(document.history.map((v) => v.version)).toEqual([2]);
    expect(document.problems).toEqual([expect.stringContaining("history [0000000001]")]);

    const check = captureIO();
    await expect(runDoctor({ user: "alice", db }, check.io)).rejects.toThrow(/1 problem\(s\) found/);
    expect(check.out()).toMatch(/history \[0000000001\]/);
    const repair = captureIO();
    await runDoctor({ user: "alice", db, repair: true }, repair.io);
    expect(repair.out()).toMatch(/quarantined persona\/alice\/history \[0000000001\]/);
    const again = captureIO();
    await runDoctor({ user: "alice", db }, again.io);
    expect(again.out()).toMatch(/every stored row fits its schema/);
  });

  it("doctor rebuilds an unusable session ledger from the transcripts, so no recorded session is lost to learning", async () => {
    const memory = new PersonaMemory(persistence.store, "alice");
    await recordSession(memory, "s-pending");
    corrupt(persistence, personaNamespace("alice"), "ledger", '{"sessions": "oops"}');
    expect(await new PersonaMemory(persistence.store, "alice").pendingSessions()).toEqual([]);
    const repair = captureIO();
    await runDoctor({ user: "alice", db, repair: true }, repair.io);
    expect(repair.out()).toMatch(/rebuilt the session ledger from the transcripts: 1 session/);
    expect((await new PersonaMemory(persistence.store, "alice").pendingSessions()).map((s) => s.sessionId)).toEqual(["s-pending"]);
  });
});
