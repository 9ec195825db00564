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
import { assertDistinctWrites, type AtomicCommitStore, type AtomicWrite } from "./atomicCommit.js";
import { isDriverError, PersistenceError, sqliteError } from "./errors.js";
import {
  decodeNamespace,
  encodeNamespace,
  literalPrefix,
  matchesFilter,
  namespaceRange,
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

/**
 * Options of {@link SqliteStore}.
 *
 * @example
 * const store = new SqliteStore("./persona.db", { busyTimeoutMs: 10_000 });
 */
export interface SqliteStoreOptions {
  /**
   * Milliseconds a writer waits for another process's lock before failing.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * Read only: no pragma that writes, no table created or migrated; writes
   * throw. Pass a connection opened with `{ readonly: true }` (or let
   * openPersistence do it).
   * @default false
   */
  readOnly?: boolean;
  /**
   * The path error messages name.
   * @default the connection's file name
   */
  location?: string;
  /**
   * WAL pages after which a commit moves the log into the database file
   * (SQLite's default is 1000). Fewer, larger checkpoints copy a page changed
   * by many commits once and sync the files less often: about a third more
   * compare-and-swap commits per second here. The log file is cut back to 16
   * MiB after a checkpoint.
   * @default 10000
   */
  walAutocheckpointPages?: number;
}

interface Row {
  ns: string;
  key: string;
  value: string;
  created_at: string;
  updated_at: string;
}

/**
 * The revision the CAS checks, computed by SQLite from the value when a row is
 * written: the value's numeric `rev`, else 0 (the same rule as `revOf`).
 */
const REV_EXPRESSION = `CASE json_type(value, '$.rev') WHEN 'integer' THEN json_extract(value, '$.rev') WHEN 'real' THEN json_extract(value, '$.rev') ELSE 0 END`;

/**
 * A rowid table with a unique (ns, key) index: values (often a kilobyte or
 * more) sit in the table b-tree, where a new row is appended, and the index
 * stays small. WITHOUT ROWID would split leaf pages on every insert.
 */
function tableSql(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
    ns TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    rev GENERATED ALWAYS AS (${REV_EXPRESSION}) STORED,
    UNIQUE (ns, key)
  )`;
}

const COLUMNS = "ns, key, value, created_at, updated_at";

/** Thrown inside a transaction to roll it back when a condition fails. */
class ConditionFailed extends Error {}

type Statements = {
  get: Database.Statement<[string, string], Row>;
  scanAll: Database.Statement<[], Row>;
  scanRange: Database.Statement<[string, string], Row>;
  namespacesAll: Database.Statement<[], { ns: string }>;
  namespacesRange: Database.Statement<[string, string], { ns: string }>;
};

type CommitRun = (writes: AtomicWrite[], namespaces: string[], statements: WriteStatements, at: string) => void;

type WriteStatements = {
  upsert: Database.Statement<[string, string, string, string, string]>;
  remove: Database.Statement<[string, string]>;
  insertIfAbsent: Database.Statement<[string, string, string, string, string]>;
  updateIfRev: Database.Statement<[string, string, string, string, number]>;
  removeIfRev: Database.Statement<[string, string, number]>;
  exists: Database.Statement<[string, string], { found: number }>;
};

/**
 * A LangGraph BaseStore in one SQLite file (better-sqlite3), in WAL mode with
 * a busy timeout so several processes can share the file. Namespace search is
 * by whole labels, compared as text (no label is ever a pattern). Besides the
 * BaseStore API it offers `commitAtomically`, a multi-item compare-and-swap:
 * each write is one conditional statement on a generated `rev` column, all in
 * one IMMEDIATE transaction (a single write needs no transaction).
 *
 * @example
 * const store = new SqliteStore("./persona.db");
 * await store.put(["persona", "u1"], "current", { rev: 1, persona: {} });
 * await store.commitAtomically([{ namespace: ["persona", "u1"], key: "current", value: { rev: 2, persona: {} }, expectRev: 1 }]);
 */
export class SqliteStore extends BaseStore implements AtomicCommitStore {
  readonly db: Database.Database;
  /** True when the store was opened read-only: every write throws. */
  readonly readOnly: boolean;
  /** The path error messages name. */
  readonly location: string;
  private readonly ownsDb: boolean;
  /** Undefined when opened read-only on a file that has no store table: reads find nothing. */
  private readonly statements: Statements | undefined;
  private readonly writes: WriteStatements | undefined;
  /** All writes of one commit in one transaction; throws ConditionFailed to roll back. */
  private readonly commitTransaction: Database.Transaction<CommitRun> | undefined;
  /** Several operations of one batch in one transaction (built once: better-sqlite3 wraps a function per call). */
  private readonly batchTransaction: Database.Transaction<(operations: Operation[]) => unknown[]>;

  /**
   * Opens (or creates) the store in `file` (a path or ":memory:"), or uses an open connection.
   *
   * @param file a path, ":memory:", or an open better-sqlite3 connection (left open on close)
   * @param options busy timeout and read-only mode
   * @throws PersistenceError naming the file when it cannot be opened or is not a database
   */
  constructor(file: string | Database.Database, options: SqliteStoreOptions = {}) {
    super();
    this.readOnly = options.readOnly ?? false;
    this.ownsDb = typeof file === "string";
    const path = options.location ?? (typeof file === "string" ? file : file.name);
    this.location = path;
    const pages = options.walAutocheckpointPages ?? 10000;
    if (!Number.isInteger(pages) || pages < 0) throw new TypeError("walAutocheckpointPages must be a whole number >= 0");
    let db: Database.Database | undefined;
    try {
      db = typeof file === "string" ? new Database(file, this.readOnly ? { readonly: true, fileMustExist: true } : {}) : file;
      this.db = db;
      this.batchTransaction = db.transaction((operations: Operation[]) => operations.map((op) => this.runOne(op)));
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      if (this.readOnly) {
        this.statements = this.hasTable("store_items") ? this.prepareReads() : undefined;
        this.writes = undefined;
        this.commitTransaction = undefined;
      } else {
        this.db.pragma("journal_mode = WAL");
        this.db.pragma("synchronous = NORMAL");
        this.db.pragma(`wal_autocheckpoint = ${pages}`);
        this.db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
        this.migrate();
        this.statements = this.prepareReads();
        this.writes = this.prepareWrites();
        this.commitTransaction = this.db.transaction<CommitRun>((writes, namespaces, statements, at) => {
          for (let i = 0; i < writes.length; i++) {
            if (!this.applyConditional(writes[i]!, namespaces[i]!, statements, at)) throw new ConditionFailed();
          }
        });
      }
    } catch (error) {
      if (this.ownsDb && db?.open) db.close();
      throw sqliteError(path, "open", error);
    }
  }

  private hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  /** Creates the table, or rebuilds one written before the `rev` column existed. */
  private migrate(): void {
    this.db
      .transaction(() => {
        if (!this.hasTable("store_items")) {
          this.db.exec(tableSql("store_items"));
          return;
        }
        const columns = this.db.prepare("SELECT name FROM pragma_table_xinfo('store_items')").all() as Array<{ name: string }>;
        if (columns.some((column) => column.name === "rev")) return;
        this.db.exec(`
          ${tableSql("store_items_rev")};
          INSERT INTO store_items_rev (${COLUMNS}) SELECT ${COLUMNS} FROM store_items;
          DROP TABLE store_items;
          ALTER TABLE store_items_rev RENAME TO store_items;`);
      })
      .immediate();
  }

  private prepareReads(): Statements {
    return {
      get: this.db.prepare(`SELECT ${COLUMNS} FROM store_items WHERE ns = ? AND key = ?`),
      scanAll: this.db.prepare(`SELECT ${COLUMNS} FROM store_items ORDER BY ns, key`),
      scanRange: this.db.prepare(`SELECT ${COLUMNS} FROM store_items WHERE ns >= ? AND ns < ? ORDER BY ns, key`),
      namespacesAll: this.db.prepare("SELECT DISTINCT ns FROM store_items ORDER BY ns"),
      namespacesRange: this.db.prepare("SELECT DISTINCT ns FROM store_items WHERE ns >= ? AND ns < ? ORDER BY ns"),
    };
  }

  private prepareWrites(): WriteStatements {
    return {
      upsert: this.db.prepare(`
        INSERT INTO store_items (${COLUMNS}) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
      remove: this.db.prepare("DELETE FROM store_items WHERE ns = ? AND key = ?"),
      insertIfAbsent: this.db.prepare(
        `INSERT INTO store_items (${COLUMNS}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (ns, key) DO NOTHING`,
      ),
      updateIfRev: this.db.prepare("UPDATE store_items SET value = ?, updated_at = ? WHERE ns = ? AND key = ? AND rev = ?"),
      removeIfRev: this.db.prepare("DELETE FROM store_items WHERE ns = ? AND key = ? AND rev = ?"),
      exists: this.db.prepare("SELECT 1 AS found FROM store_items WHERE ns = ? AND key = ?"),
    };
  }

  private writable(): WriteStatements {
    if (!this.writes) {
      throw new PersistenceError(`cannot write to the SQLite database ${this.location}: it was opened read-only`, {
        location: this.location,
        badInput: false,
        code: "SQLITE_READONLY",
      });
    }
    return this.writes;
  }

  /** `namespace`: the caller's labels when known (a get), else decoded from the row. */
  private toItem(row: Row, namespace?: readonly string[]): Item {
    return {
      namespace: namespace ? [...namespace] : decodeNamespace(row.ns),
      key: row.key,
      value: parseStoredValue(row.value),
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }

  private getOne(op: GetOperation): Item | null {
    validateLabels(op.namespace, false);
    const row = this.statements?.get.get(encodeNamespace(op.namespace), op.key);
    return row ? this.toItem(row, op.namespace) : null;
  }

  private serialize(value: unknown): string {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new TypeError("store values must be plain objects");
    }
    return JSON.stringify(value);
  }

  private putOne(op: PutOperation): void {
    validateLabels(op.namespace, false);
    const writes = this.writable();
    const ns = encodeNamespace(op.namespace);
    if (op.value === null) {
      writes.remove.run(ns, op.key);
      return;
    }
    const at = new Date().toISOString();
    writes.upsert.run(ns, op.key, this.serialize(op.value), at, at);
  }

  private searchMany(op: SearchOperation): SearchItem[] {
    validateLabels(op.namespacePrefix, true);
    if (!this.statements) return [];
    const offset = op.offset ?? 0;
    const limit = op.limit ?? 10;
    const rows =
      op.namespacePrefix.length === 0
        ? this.statements.scanAll.iterate()
        : this.statements.scanRange.iterate(...namespaceRange(op.namespacePrefix));
    const out: SearchItem[] = [];
    let skipped = 0;
    for (const row of rows) {
      if (out.length >= limit) break;
      const item = this.toItem(row);
      if (!matchesFilter(item.value, op.filter)) continue;
      if (skipped < offset) {
        skipped++;
        continue;
      }
      out.push({ ...item, score: undefined });
    }
    return out;
  }

  private listNamespacesOnce(op: ListNamespacesOperation): string[][] {
    if (!this.statements) return [];
    // Narrow the scan to the literal labels of a prefix condition (up to its first "*").
    const prefix = literalPrefix(op);
    const rows =
      prefix.length === 0
        ? this.statements.namespacesAll.all()
        : this.statements.namespacesRange.all(...namespaceRange(prefix));
    return selectNamespaces(
      rows.map((row) => decodeNamespace(row.ns)),
      op,
    );
  }

  private runOne(op: Operation): unknown {
    if ("namespacePrefix" in op) return this.searchMany(op);
    if ("matchConditions" in op || ("limit" in op && !("namespace" in op))) {
      return this.listNamespacesOnce(op as ListNamespacesOperation);
    }
    if ("value" in op) {
      this.putOne(op as PutOperation);
      return undefined;
    }
    return this.getOne(op as GetOperation);
  }

  /**
   * Runs the operations in order; several run in one transaction, a single one
   * as one statement.
   *
   * @param operations gets, puts, searches and namespace listings
   * @returns one result per operation
   * @throws PersistenceError naming the file when the database fails
   */
  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    try {
      if (operations.length === 1) return [this.runOne(operations[0]!)] as OperationResults<Op>;
      return this.batchTransaction(operations) as OperationResults<Op>;
    } catch (error) {
      throw this.wrap("use", error);
    }
  }

  private wrap(action: string, error: unknown): unknown {
    // Mistakes in the call (bad labels, bad values) keep their own type.
    return isDriverError(error) ? sqliteError(this.location, action, error) : error;
  }

  /** One conditional write; false when its condition does not hold. */
  private applyConditional(write: AtomicWrite, ns: string, writes: WriteStatements, at: string): boolean {
    const { key, value, expectRev } = write;
    if (expectRev === undefined) {
      if (value === null) writes.remove.run(ns, key);
      else writes.upsert.run(ns, key, this.serialize(value), at, at);
      return true;
    }
    if (expectRev === null) {
      if (value === null) return writes.exists.get(ns, key) === undefined;
      return writes.insertIfAbsent.run(ns, key, this.serialize(value), at, at).changes === 1;
    }
    if (value === null) return writes.removeIfRev.run(ns, key, expectRev).changes === 1;
    return writes.updateIfRev.run(this.serialize(value), at, ns, key, expectRev).changes === 1;
  }

  /**
   * Applies every write if every `expectRev` holds, else none. Each write is
   * one statement that checks its own condition (`UPDATE ... WHERE rev = ?`,
   * `INSERT ... ON CONFLICT DO NOTHING`); several run in one IMMEDIATE
   * transaction, which takes the write lock first, so two processes can never
   * both pass a check.
   *
   * @param writes the writes, each item at most once
   * @returns true when applied, false when a condition failed (nothing written)
   * @throws TypeError when an item appears twice; PersistenceError naming the file when the database fails
   */
  async commitAtomically(writes: AtomicWrite[]): Promise<boolean> {
    const statements = this.writable();
    const namespaces = writes.map((write) => {
      validateLabels(write.namespace, false);
      return encodeNamespace(write.namespace);
    });
    for (let i = 1; i < writes.length; i++) {
      for (let j = 0; j < i; j++) {
        if (namespaces[i] === namespaces[j] && writes[i]!.key === writes[j]!.key) assertDistinctWrites(writes);
      }
    }
    const at = new Date().toISOString();
    try {
      if (writes.length === 1) return this.applyConditional(writes[0]!, namespaces[0]!, statements, at);
      this.commitTransaction!.immediate(writes, namespaces, statements, at);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed) return false;
      throw this.wrap("write to", error);
    }
  }

  /** Closes the connection if this store opened it. */
  close(): void {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
