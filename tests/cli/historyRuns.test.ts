import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { PersonaMemory } from "../../src/memory/personaMemory.js";
import { openSqlitePersistence } from "../../src/store/sqlitePersistence.js";
import type { CommandIO } from "../../src/cli/command.js";
import { rejectedRuns, runHistory } from "../../src/cli/history.js";

function captureIO(): CommandIO & { out: () => string } {
  const output = new PassThrough();
  let out = "";
  output.on("data", (chunk) => (out += chunk));
  return { input: new PassThrough(), output, errors: new PassThrough(), interactive: false, out: () => out };
}

describe("persona history: every kind of learning run that stored nothing", () => {
  let dir: string;
  let db: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "persona-history-runs-"));
    db = join(dir, "runs.db");
    const persistence = openSqlitePersistence(db);
    const memory = new PersonaMemory(persistence.store, "erin");
    const change = { op: "set", field: "Demographics.Name", value: "Erin", evidence: "I am Erin" };
    // Runs are ordered by their millisecond timestamp: keep them apart, as real runs are.
    const later = () => new Promise((resolve) => setTimeout(resolve, 5));
    await memory.recordLearning({ sessionIds: ["s1"], outcome: "no_changes", appliedCount: 0, rejected: [] });
    await later();
    await memory.recordLearning({ sessionIds: ["s2"], outcome: "review_rejected", appliedCount: 0, rejected: [{ change, reason: "rejected in review: not her name" }] });
    await later();
    await memory.recordLearning({ sessionIds: ["s3"], outcome: "malformed", appliedCount: 0, rejected: [], error: "the learner did not call update_persona" });
    await later();
    await memory.recordLearning({ sessionIds: ["s4"], outcome: "already_learned", appliedCount: 0, rejected: [] });
    persistence.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lists review rejections and malformed replies with their reasons; runs that merely found nothing are left out", async () => {
    const io = captureIO();
    await runHistory({ user: "erin", db }, io);
    const lines = io.out().trim().split("\n");
    expect(lines).toEqual([
      'user "erin" has no persona versions yet',
      expect.stringMatching(/^learning run {2}\S+ {2}review_rejected, sessions s2: 1 proposed change, all rejected in review \(no version stored\)$/),
      "    rejected Demographics.Name: rejected in review: not her name",
      expect.stringMatching(/^learning run {2}\S+ {2}malformed, sessions s3: the learner did not call update_persona \(no version stored\)$/),
    ]);
    const json = captureIO();
    await runHistory({ user: "erin", db, json: true }, json);
    expect(JSON.parse(json.out()).rejectedRuns.map((run: { outcome: string }) => run.outcome)).toEqual(["review_rejected", "malformed"]);
  });

  it("rejectedRuns keeps a failed run's error as its reason", () => {
    const run = { id: "r", at: "2026-01-01T00:00:00.000Z", sessionIds: [], outcome: "error" as const, appliedCount: 0, rejected: [], error: "connection refused" };
    expect(rejectedRuns([run])).toEqual([{ ...run, reason: "failed: connection refused" }]);
  });
});
