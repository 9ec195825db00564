import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteStore } from "../../src/store/sqliteStore.js";
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
