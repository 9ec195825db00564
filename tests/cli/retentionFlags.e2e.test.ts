import { join } from "node:path";
import Database from "better-sqlite3";
import { runBuiltCli } from "../helpers/runBuiltCli.js";
import { useCliFixture } from "../helpers/cliFixture.js";

/** Checkpoints per thread in a SQLite database written by `persona chat`. */
function checkpointsPerThread(db: string): number[] {
  const sqlite = new Database(db, { readonly: true });
  try {
    const rows = sqlite.prepare("SELECT thread_id, COUNT(*) AS n FROM checkpoints GROUP BY thread_id").all() as Array<{ n: number }>;
    return rows.map((row) => row.n);
  } finally {
    sqlite.close();
  }
}

describe("persona chat retention flags", () => {

  const cli = useCliFixture("persona-retention-cli-");

  /** Four chats of two messages, each in a new thread, learning after every one. */
  const fourChats = async (db: string, flags: string[]) => {
    for (let i = 0; i < 4; i++) {
      const result = await runBuiltCli(
        ["chat", "--user", "ann", "--db", join(cli.dir, db), "--model", "mock-model", "--update-every", "1", "--no-history", ...flags],
        `my name is Ann ${i}\nthanks\n`,
        cli.env,
      );
      expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
    }
    return checkpointsPerThread(join(cli.dir, db));
  };

  it("keeps every thread by default, pruned to its latest checkpoint; --retention off keeps every checkpoint", async () => {
    const pruned = await fourChats("default.db", []);
    const kept = await fourChats("off.db", ["--retention", "off"]);
    expect(pruned).toHaveLength(4);
    expect(kept).toHaveLength(4);
    // The thread whose run did the learning is pruned at the next learning run.
    expect(pruned.slice().sort((a, b) => a - b).slice(0, 3)).toEqual([1, 1, 1]);
    expect(Math.min(...kept)).toBeGreaterThan(Math.max(...pruned.slice().sort((a, b) => a - b).slice(0, 3)));

  });

  it("--keep-threads 1 deletes the user's older finished threads", async () => {
    const threads = await fourChats("keep1.db", ["--keep-threads", "1"]);
    // The most recent learned thread stays, and the one whose run just learned (deleted next time).
    expect(threads.length).toBeLessThanOrEqual(2);
    expect(threads.length).toBeGreaterThanOrEqual(1);
  });

  it("refuses bad retention flags with a one-line usage error", async () => {
    const run = (...flags: string[]) =>
      runBuiltCli(["chat", "--user", "ann", "--db", join(cli.dir, "bad.db"), "--model", "mock-model", ...flags], "hi\n", cli.env);
    for (const [flags, message] of [
      [["--keep-threads", "0"], /--keep-threads must be a positive integer from 1 to \d+, got "0"/],
      [["--keep-versions", "x"], /--keep-versions must be a positive integer/],
      [["--retention", "maybe"], /--retention must be "on" or "off", got "maybe"/],
      [["--retention", "off", "--keep-threads", "3"], /--retention off keeps everything: it cannot be combined/],
    ] as Array<[string[], RegExp]>) {
      const result = await run(...flags);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});
