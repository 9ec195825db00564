import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteStore } from "../../src/store.js";
import { PersistenceError } from "../../src/index.js";
import { describeStoreConformance } from "./storeConformance.js";

describeStoreConformance("SqliteStore (in memory)", () => {
  const store = new SqliteStore(":memory:");
  return { store, cleanup: () => store.close() };
});

describeStoreConformance("SqliteStore (file)", () => {
  const dir = mkdtempSync(join(tmpdir(), "persona-store-"));
  const store = new SqliteStore(join(dir, "store.db"));
  return {
    store,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("SqliteStore specifics", () => {
  it("opens in WAL mode with a busy timeout and keeps data across connections", async () => {
    const dir = mkdtempSync(join(tmpdir(), "persona-store-"));
    const path = join(dir, "store.db");
    try {
      const first = new SqliteStore(path, { busyTimeoutMs: 1234 });
      expect(first.db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(first.db.pragma("busy_timeout", { simple: true })).toBe(1234);
      expect(first.db.pragma("wal_autocheckpoint", { simple: true })).toBe(10000);
      expect(() => new SqliteStore(":memory:", { walAutocheckpointPages: -1 })).toThrow(TypeError);
      await first.put(["persona", "u1"], "current", { version: 3 });
      first.close();
      const second = new SqliteStore(path);
      expect((await second.get(["persona", "u1"], "current"))?.value).toEqual({ version: 3 });
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves a connection it did not open to its owner", async () => {
    const db = new Database(":memory:");
    const store = new SqliteStore(db);
    await store.put(["a"], "k", { x: 1 });
    store.close();
    expect(db.open).toBe(true);
    db.close();
  });

  it("rejects unknown filter operators instead of ignoring them", async () => {
    const store = new SqliteStore(":memory:");
    await store.put(["a"], "k", { n: 1 });
    await expect(store.search(["a"], { filter: { n: { $regex: "1" } } })).rejects.toThrow(/unsupported filter operator/);
    store.close();
  });
});

describe("SqliteStore revisions and read-only mode", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "persona-store-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the revision in a generated column, so a CAS check reads no JSON", async () => {
    const store = new SqliteStore(":memory:");
    await store.put(["a"], "n", { rev: 7 });
    await store.put(["a"], "s", { rev: "7" });
    await store.put(["a"], "none", { x: 1 });
    const revs = store.db.prepare("SELECT key, rev FROM store_items ORDER BY key").all();
    expect(revs).toEqual([
      { key: "n", rev: 7 },
      { key: "none", rev: 0 },
      { key: "s", rev: 0 },
    ]);
    store.close();
  });

  it("rebuilds a table written before the rev column, keeping every row", async () => {
    const path = join(dir, "old.db");
    const db = new Database(path);
    db.exec(`CREATE TABLE store_items (ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
      created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (ns, key)) WITHOUT ROWID`);
    db.prepare("INSERT INTO store_items VALUES (?, ?, ?, ?, ?)").run("persona/u1/", "current", JSON.stringify({ rev: 3, v: "kept" }), "2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00.000Z");
    db.close();
    const store = new SqliteStore(path);
    const item = await store.get(["persona", "u1"], "current");
    expect(item?.value).toEqual({ rev: 3, v: "kept" });
    expect(item?.createdAt.toISOString()).toBe("2024-01-01T00:00:00.000Z");
    expect(await store.commitAtomically([{ namespace: ["persona", "u1"], key: "current", value: { rev: 4 }, expectRev: 3 }])).toBe(true);
    expect(store.db.prepare("SELECT name FROM pragma_table_xinfo('store_items') WHERE name = 'rev'").get()).toEqual({ name: "rev" });
    store.close();
  });

  it("read-only: reads an existing file, writes nothing, refuses writes and reads a file without the table as empty", async () => {
    const path = join(dir, "ro.db");
    const writer = new SqliteStore(path);
    await writer.put(["persona", "u1"], "current", { rev: 1 });
    writer.close();
    const before = readFileSync(path);
    const reader = new SqliteStore(path, { readOnly: true });
    expect((await reader.get(["persona", "u1"], "current"))?.value).toEqual({ rev: 1 });
    expect(await reader.search(["persona"], { limit: 10 })).toHaveLength(1);
    await expect(reader.put(["persona", "u1"], "current", { rev: 2 })).rejects.toThrow(/ro\.db: it was opened read-only/);
    await expect(reader.commitAtomically([{ namespace: ["a"], key: "k", value: { rev: 1 } }])).rejects.toThrow(PersistenceError);
    reader.close();
    expect(readFileSync(path).equals(before)).toBe(true);

    const other = join(dir, "other.db");
    new Database(other).exec("CREATE TABLE unrelated (x)");
    const empty = new SqliteStore(other, { readOnly: true });
    expect(await empty.get(["persona", "u1"], "current")).toBeNull();
    expect(await empty.search([], { limit: 10 })).toEqual([]);
    expect(await empty.listNamespaces()).toEqual([]);
    expect(new Database(other).prepare("SELECT name FROM sqlite_master").all()).toEqual([{ name: "unrelated" }]);
    empty.close();
  });

  it("names the file in every database error", async () => {
    const notADatabase = join(dir, "text.db");
    writeFileSync(notADatabase, "this is a text file, not a database; ".repeat(20));
    expect(() => new SqliteStore(notADatabase)).toThrow(new RegExp(`${notADatabase.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}.*file is not a database`));
    try {
      new SqliteStore(notADatabase);
    } catch (error) {
      expect(error).toBeInstanceOf(PersistenceError);
      expect((error as PersistenceError).badInput).toBe(true);
      expect((error as PersistenceError).location).toBe(notADatabase);
    }
  });
});
