import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockOpenAIServer, type MockOpenAIServer } from "../../src/testing/index.js";
import { ruleBasedHandler } from "../helpers/ruleBasedModelServer.js";
import { assertCliBuilt, runBuiltCli } from "../helpers/runBuiltCli.js";
import { freshSchema, postgresAvailable } from "../store/postgresTestServer.js";

describe("persona forget says what it guarantees for the database files", () => {
  let server: MockOpenAIServer;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  beforeAll(async () => {
    assertCliBuilt();
    server = await startMockOpenAIServer(ruleBasedHandler);
    const { OPENAI_API_KEY: _key, PERSONA_MODEL: _model, PERSONA_DB: _db, ...rest } = process.env;
    env = { ...rest, OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "not-needed" };
    dir = mkdtempSync(join(tmpdir(), "persona-forget-"));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function seedAndForget(db: string, extra: string[]): Promise<string> {
    const chat = await runBuiltCli(["chat", "--user", "fay", "--update-every", "1", "--model", "m", "--db", db], "Hello, my name is Fay.\n", env);
    expect(chat.code).toBe(0);
    const forgot = await runBuiltCli(["forget", "--user", "fay", "--yes", "--db", db, ...extra], "", env);
    expect(forgot.code).toBe(0);
    expect(forgot.stdout).toMatch(/forgot user "fay": \d+ stored items and 1 threads deleted/);
    return forgot.stdout;
  }

  it("SQLite: the file was rebuilt, and what is not covered", async () => {
    const out = await seedAndForget(join(dir, "p.db"), []);
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
