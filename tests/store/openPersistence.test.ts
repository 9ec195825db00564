import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import Database from "better-sqlite3";
import { openPersistence, openSqlitePersistence, PersistenceError } from "../../src/index.js";
import { describeWithPostgres, freshSchema, POSTGRES_TEST_URL } from "./postgresTestServer.js";

const DIST = resolve(__dirname, "../../dist/store/openPersistence.js");
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/** Writes one persona item and closes the file cleanly (no -wal left). */
async function seed(path: string): Promise<void> {
  const persistence = openSqlitePersistence(path);
  await persistence.store.put(["persona", "u1"], "current", { rev: 1, name: "Ann" });
  persistence.close();
}

/**
 * Opens `path` read-only and reads u1's persona as a user for whom the file
 * modes apply: in this process when not root, else in a child running as
 * nobody (root ignores file modes), through the built package.
 */
function readAsUnprivileged(path: string): { ok: boolean; value?: unknown; snapshot?: boolean; error?: string } {
  const script = `
    const { openPersistence } = await import(${JSON.stringify(DIST)});
    try {
      const p = await openPersistence(process.argv[1], { readOnly: true });
      const item = await p.store.get(["persona", "u1"], "current");
      const write = await p.store.put(["persona", "u1"], "current", { rev: 2 }).then(() => "written", (e) => e.name);
      await p.close();
      console.log(JSON.stringify({ ok: true, value: item && item.value, write }));
    } catch (error) {
      console.log(JSON.stringify({ ok: false, error: error.message, name: error.name }));
    }`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script, path], {
    encoding: "utf8",
    timeout: 30000,
    ...(isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  if (result.status !== 0) throw new Error(`reader failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!);
}

describe("openPersistence on SQLite, read-only", () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run npm run build first`);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "persona-ro-"));
    chmodSync(dir, 0o755);
  });
  afterEach(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads a file with mode 0444 and writes nothing to it", async () => {
    const path = join(dir, "persona.db");
    await seed(path);
    chmodSync(path, 0o444);
    const before = readFileSync(path);
    const read = readAsUnprivileged(path);
    expect(read).toMatchObject({ ok: true, value: { rev: 1, name: "Ann" }, write: "PersistenceError" });
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("reads a database in a read-only directory (no -shm can be created)", async () => {
    const path = join(dir, "persona.db");
    await seed(path);
    chmodSync(path, 0o444);
    chmodSync(dir, 0o555);
    const read = readAsUnprivileged(path);
    expect(read).toMatchObject({ ok: true, value: { rev: 1, name: "Ann" }, write: "PersistenceError" });
    expect(readdirSync(dir)).toEqual(["persona.db"]);
  });

  it("in a read-only directory with changes still in the -wal, reads them through the existing -shm", async () => {
    const path = join(dir, "persona.db");
    await seed(path);
    const writer = new Database(path);
    writer.pragma("wal_autocheckpoint = 0");
    writer.prepare("UPDATE store_items SET value = ? WHERE key = 'current'").run(JSON.stringify({ rev: 2, name: "Bo" }));
    try {
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
      chmodSync(dir, 0o555);
      const read = readAsUnprivileged(path);
      expect(read).toMatchObject({ ok: true, value: { rev: 2, name: "Bo" } });
    } finally {
      chmodSync(dir, 0o755);
      writer.close();
    }
  });

  it("creates no table and sets no journal mode in a database that has none", async () => {
    const path = join(dir, "empty.db");
    const db = new Database(path);
    db.exec("CREATE TABLE unrelated (x)");
    db.close();
    const before = readFileSync(path);
    const persistence = await openPersistence(path, { readOnly: true });
    expect(await persistence.store.get(["persona", "u1"], "current")).toBeNull();
    expect(await persistence.checkpointer.getTuple({ configurable: { thread_id: "t" } })).toBeUndefined();
    const listed = [];
    for await (const tuple of persistence.checkpointer.list({ configurable: { thread_id: "t" } })) listed.push(tuple);
    expect(listed).toEqual([]);
    await expect(
      persistence.checkpointer.deleteThread("t"),
    ).rejects.toThrow(/empty\.db: it was opened read-only/);
    await expect(persistence.scrubDeleted()).rejects.toThrow(/opened read-only/);
    await persistence.close();
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readFileSync(path).subarray(18, 20)).toEqual(Buffer.from([1, 1])); // still a rollback-journal file
  });
});

describe("openPersistence read-only on a file in rollback-journal mode", () => {
  it("reads checkpoints without switching the file to WAL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "persona-ro-journal-"));
    try {
      const path = join(dir, "journal.db");
      const writer = openSqlitePersistence(path);
      await writer.checkpointer.put(
        { configurable: { thread_id: "t", checkpoint_ns: "" } },
        { v: 4, id: "1ef00000-0000-6000-8000-000000000001", ts: new Date().toISOString(), channel_values: { x: 1 }, channel_versions: {}, versions_seen: {} },
        { source: "input", step: -1, parents: {} },
      );
      writer.db.pragma("journal_mode = DELETE");
      writer.close();
      expect(readFileSync(path).subarray(18, 20)).toEqual(Buffer.from([1, 1]));
      const before = readFileSync(path);
      const reader = await openPersistence(path, { readOnly: true });
      const tuple = await reader.checkpointer.getTuple({ configurable: { thread_id: "t" } });
      expect(tuple?.checkpoint.channel_values).toEqual({ x: 1 });
      await reader.close();
      expect(readFileSync(path).equals(before)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("openPersistence errors name the location", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "persona-bad-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function failure(location: string, readOnly = false): Promise<PersistenceError> {
    const error = await openPersistence(location, { readOnly }).then(
      async (opened) => {
        await opened.close();
        throw new Error(`opening ${location} should have failed`);
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PersistenceError);
    return error as PersistenceError;
  }

  it.each([
    ["a missing file (read-only)", (d: string) => join(d, "missing.db"), true, /missing\.db: no such file/],
    ["a missing directory", (d: string) => join(d, "no-dir", "persona.db"), false, /no-dir\/persona\.db: the directory .*no-dir does not exist/],
    ["a directory", (d: string) => d, false, /it is a directory, not a database file/],
    ["a directory (read-only)", (d: string) => d, true, /it is a directory, not a database file/],
  ])("%s is bad input", async (_name, location, readOnly, message) => {
    const path = location(dir);
    const error = await failure(path, readOnly);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(message);
    expect(error.badInput).toBe(true);
    expect(error.location).toBe(path);
  });

  it.each([false, true])("a file that is not a database is bad input (readOnly %s), and is left as it was", async (readOnly) => {
    const path = join(dir, "notes.txt");
    writeFileSync(path, "just some notes, no database here\n".repeat(10));
    const before = readFileSync(path);
    const error = await failure(path, readOnly);
    expect(error.message).toMatch(new RegExp(`SQLite database ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: file is not a database`));
    expect(error.badInput).toBe(true);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  (isRoot ? it : it.skip)("an unreadable file is bad input (checked as nobody: root reads every file)", async () => {
    const path = join(dir, "secret.db");
    await seed(path);
    chmodSync(path, 0o000);
    chmodSync(dir, 0o755);
    const read = readAsUnprivileged(path);
    expect(read.ok).toBe(false);
    expect(read.error).toMatch(/secret\.db: permission denied/);
  });

  it.each([
    ["an unparsable URL", "postgres://someone:hunter2@127.0.0.1:notaport/test", /cannot use the Postgres URL postgres:\/\/someone:\*\*\*@127\.0\.0\.1:notaport\/test/],
    ["a bad schema name", "postgres://127.0.0.1/test?schema=drop;table", /invalid Postgres schema name/],
  ])("%s is bad input and hides the password", async (_name, url, message) => {
    const error = await failure(url);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("hunter2");
    expect(error.badInput).toBe(true);
  });

  it("a refused connection is a failure naming the server", async () => {
    const error = await failure("postgres://someone:hunter2@127.0.0.1:1/test");
    expect(error.message).toMatch(/cannot connect to Postgres at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/test: .*ECONNREFUSED/);
    expect(error.message).not.toContain("hunter2");
    expect(error.badInput).toBe(false);
    expect(error.code).toBe("ECONNREFUSED");
  });
});

describeWithPostgres("openPersistence on Postgres, read-only and errors", () => {
  it("an unknown database is bad input naming the server", async () => {
    const url = new URL(POSTGRES_TEST_URL);
    url.pathname = "/no_such_database_for_persona";
    const error = await openPersistence(url.toString()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as Error).message).toMatch(/no_such_database_for_persona.*does not exist/);
    expect((error as PersistenceError).badInput).toBe(true);
  });

  it("read-only creates nothing, reads existing data and the server refuses writes", async () => {
    const fresh = await freshSchema("ropen");
    const admin = new pg.Pool({ connectionString: POSTGRES_TEST_URL });
    try {
      const empty = await openPersistence(fresh.url, { readOnly: true });
      expect(await empty.store.get(["persona", "u1"], "current")).toBeNull();
      expect(await empty.checkpointer.getTuple({ configurable: { thread_id: "t" } })).toBeUndefined();
      await empty.close();
      expect((await admin.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [fresh.schema])).rowCount).toBe(0);

      const writer = await openPersistence(fresh.url);
      await writer.store.put(["persona", "u1"], "current", { rev: 1, name: "Ann" });
      await writer.close();
      const reader = await openPersistence(fresh.url, { readOnly: true });
      try {
        expect((await reader.store.get(["persona", "u1"], "current"))?.value).toEqual({ rev: 1, name: "Ann" });
        await expect(reader.store.put(["persona", "u1"], "current", { rev: 2 })).rejects.toThrow(/opened read-only/);
        await expect(reader.checkpointer.deleteThread("t")).rejects.toThrow(/opened read-only/);
        // Below our own checks, the connections themselves are read-only.
        const pool = (reader.store as unknown as { pool: pg.Pool }).pool;
        await expect(pool.query(`CREATE TABLE "${fresh.schema}".sneaky (x int)`)).rejects.toThrow(/read-only transaction/);
      } finally {
        await reader.close();
      }
    } finally {
      await admin.end();
      await fresh.drop();
    }
  });
});

