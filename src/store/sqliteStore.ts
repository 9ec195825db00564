import Database from "better-sqlite3";
import {
  BaseStore,
  type GetOperation,
  type Item,
  type ListNamespacesOperation,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchOperation,
} from "@langchain/langgraph";
import { revOf, type AtomicCommitStore, type AtomicWrite } from "../memory/atomicCommit.js";
import {
  decodeNamespace,
  encodeNamespace,
  matchesFilter,
  selectNamespaces,
  validateLabels,
} from "./storeSemantics.js";

/**
 * A row's value. A value that is not valid JSON (a damaged file, a hand-edited
 * row) comes back as `{ [UNREADABLE_VALUE]: <start of the text> }` instead of
 * failing the whole read, so the reader can report the one bad row.
 */
function parseStoredValue(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    return { [UNREADABLE_VALUE]: `${(error as Error).message}: ${text.slice(0, 80)}` };
  }
}

/** The field an unreadable stored value is reported under. */
export const UNREADABLE_VALUE = "__unreadable_value";

/** A search result; the store has no vector index, so `score` is always undefined. */
type SearchItem = Item & { score?: number };

export interface SqliteStoreOptions {
  /** Milliseconds a writer waits for another process's lock before failing. Default 5000. */
  busyTimeoutMs?: number;
}

interface Row {
  ns: string;
  key: string;
  value: string;
  created_at: string;
  updated_at: string;
}

/**
 * A LangGraph BaseStore in one SQLite file (better-sqlite3), in WAL mode with
 * a busy timeout so several processes can share the file. Namespace search is
 * by whole labels. Besides the BaseStore API it offers `commitAtomically`, a
 * multi-item compare-and-swap in one IMMEDIATE transaction.
 */
export class SqliteStore extends BaseStore implements AtomicCommitStore {
  readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly statements: {
    get: Database.Statement<[string, string], Row>;
    upsert: Database.Statement<[string, string, string, string, string]>;
    remove: Database.Statement<[string, string]>;
    scanAll: Database.Statement<[], Row>;
    scanRange: Database.Statement<[string, string], Row>;
    namespaces: Database.Statement<[], { ns: string }>;
  };

  /** Opens (or creates) the store in `file` (a path or ":memory:"), or uses an open connection. */
  constructor(file: string | Database.Database, options: SqliteStoreOptions = {}) {
    super();
    this.ownsDb = typeof file === "string";
    this.db = typeof file === "string" ? new Database(file) : file;
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS store_items (
        ns TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (ns, key)
      ) WITHOUT ROWID;
    `);
    this.statements = {
      get: this.db.prepare("SELECT * FROM store_items WHERE ns = ? AND key = ?"),
      upsert: this.db.prepare(`
        INSERT INTO store_items (ns, key, value, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
      remove: this.db.prepare("DELETE FROM store_items WHERE ns = ? AND key = ?"),
      scanAll: this.db.prepare("SELECT * FROM store_items ORDER BY ns, key"),
      scanRange: this.db.prepare("SELECT * FROM store_items WHERE ns >= ? AND ns < ? ORDER BY ns, key"),
      namespaces: this.db.prepare("SELECT DISTINCT ns FROM store_items ORDER BY ns"),
    };
  }

  private toItem(row: Row): Item {
    return {
      namespace: decodeNamespace(row.ns),
      key: row.key,
      value: parseStoredValue(row.value),
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }

  private getOne(op: GetOperation): Item | null {
    validateLabels(op.namespace, false);
    const row = this.statements.get.get(encodeNamespace(op.namespace), op.key);
    return row ? this.toItem(row) : null;
  }

  private putOne(op: PutOperation): void {
    validateLabels(op.namespace, false);
    const ns = encodeNamespace(op.namespace);
    if (op.value === null) {
      this.statements.remove.run(ns, op.key);
      return;
    }
    if (typeof op.value !== "object" || Array.isArray(op.value)) {
      throw new TypeError("store values must be plain objects");
    }
    const at = new Date().toISOString();
    this.statements.upsert.run(ns, op.key, JSON.stringify(op.value), at, at);
  }

  private searchMany(op: SearchOperation): SearchItem[] {
    validateLabels(op.namespacePrefix, true);
    const offset = op.offset ?? 0;
    const limit = op.limit ?? 10;
    const rows =
      op.namespacePrefix.length === 0
        ? this.statements.scanAll.iterate()
        : (() => {
            const low = encodeNamespace(op.namespacePrefix);
            // "/" + 1 is "0": the range holds exactly the namespaces under the prefix.
            const high = `${low.slice(0, -1)}0`;
            return this.statements.scanRange.iterate(low, high);
          })();
    const out: SearchItem[] = [];
    let skipped = 0;
    for (const row of rows) {
      const item = this.toItem(row);
      if (!matchesFilter(item.value, op.filter)) continue;
      if (skipped < offset) {
        skipped++;
        continue;
      }
      if (out.length >= limit) break;
      out.push({ ...item, score: undefined });
    }
    return out;
  }

  private listNamespaces_(op: ListNamespacesOperation): string[][] {
    return selectNamespaces(
      this.statements.namespaces.all().map((row) => decodeNamespace(row.ns)),
      op,
    );
  }

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const run = this.db.transaction(() =>
      operations.map((op) => {
        if ("namespacePrefix" in op) return this.searchMany(op);
        if ("matchConditions" in op || ("limit" in op && !("namespace" in op))) {
          return this.listNamespaces_(op as ListNamespacesOperation);
        }
        if ("value" in op) {
          this.putOne(op as PutOperation);
          return undefined;
        }
        return this.getOne(op as GetOperation);
      }),
    );
    return run() as OperationResults<Op>;
  }

  async commitAtomically(writes: AtomicWrite[]): Promise<boolean> {
    const run = this.db.transaction(() => {
      for (const write of writes) {
        if (write.expectRev === undefined) continue;
        const current = this.getOne({ namespace: write.namespace, key: write.key });
        if (revOf(current?.value) !== write.expectRev) return false;
      }
      for (const write of writes) {
        this.putOne({ namespace: write.namespace, key: write.key, value: write.value });
      }
      return true;
    });
    // IMMEDIATE takes the write lock before reading, so two processes cannot
    // both pass the check.
    return run.immediate();
  }

  /** Closes the connection if this store opened it. */
  close(): void {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
