import { join } from "node:path";
import { runBuiltCli } from "../helpers/runBuiltCli.js";
import { freshSchema, postgresAvailable } from "../store/postgresTestServer.js";
import { useCliFixture } from "../helpers/cliFixture.js";

describe("persona forget says what it guarantees for the database files", () => {
  const cli = useCliFixture("persona-forget-", { env: { OPENAI_API_KEY: "not-needed" } });

  async function seedAndForget(db: string, extra: string[]): Promise<string> {
    const chat = await runBuiltCli(["chat", "--user", "fay", "--update-every", "1", "--model", "m", "--db", db], "Hello, my name is Fay.\n", cli.env);
    expect(chat.code).toBe(0);
    const forgot = await runBuiltCli(["forget", "--user", "fay", "--yes", "--db", db, ...extra], "", cli.env);
    expect(forgot.code).toBe(0);
    expect(forgot.stdout).toMatch(/forgot user "fay": \d+ stored items and 1 threads deleted/);
    return forgot.stdout;
  }

  it("SQLite: the file was rebuilt, and what is not covered", async () => {
    const out = await seedAndForget(join(cli.dir, "p.db"), []);
    expect(out).toMatch(/SQLite: the file was rebuilt with VACUUM and its write-ahead log truncated/);
    expect(out).toMatch(/Not covered: copies outside these files/);
  });

  (postgresAvailable ? it : it.skip)("Postgres without --compact: dead tuples may stay; with --compact: VACUUM FULL rewrote the tables; WAL not covered", async () => {
    const fresh = await freshSchema("forgetcli");
    try {
      const plain = await seedAndForget(fresh.url, []);
      expect(plain).toMatch(/no pg_dump returns them/);
      expect(plain).toMatch(/can stay in the table files as dead tuples/);
      expect(plain).toMatch(/write-ahead log \(pg_wal\)/);
      const compact = await seedAndForget(fresh.url, ["--compact"]);
      expect(compact).toMatch(/VACUUM FULL rewrote persona_store_items, checkpoints, checkpoint_blobs, checkpoint_writes/);
      expect(compact).toMatch(/write-ahead log \(pg_wal\)/);
    } finally {
      await fresh.drop();
    }
  });
});
