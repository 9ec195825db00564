import { createHash } from "node:crypto";
import pg from "pg";
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
import { isDriverError, PersistenceError, postgresError } from "./errors.js";
import {
  decodeNamespace,
  encodeNamespace,
  literalPrefix,
  matchesFilter,
  namespaceRange,
  selectNamespaces,
  validateLabels,
} from "./storeSemantics.js";
import { assertSchemaName, describePool, redactPostgresUrl } from "./postgresUrl.js";

type SearchItem = Item & { score?: number };

/**
 * Options of {@link PostgresStore}.
 *
 * @example
 * const store = new PostgresStore(pool, { schema: "persona" });
 */
export interface PostgresStoreOptions {
  /**
   * Schema that holds the store table (created if missing).
   * @default "public"
   */
  schema?: string;
  /**
   * Read only: nothing is created or migrated, writes throw, and reads find
   * nothing when the table does not exist.
   * @default false
   */
  readOnly?: boolean;
  /**
   * The URL error messages name (password hidden).
   * @default the pool's host, port and database
   */
  location?: string;
}

interface Row {
  ns: string;
  key: string;
  value: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const SCAN_PAGE = 500;
/** Errors after which a compare-and-swap simply reports a conflict (the caller retries). */
const CONFLICT_CODES = new Set(["40001", "40P01", "23505"]);
/** Bump when the commit function changes: a new name, so old and new processes can share a schema. */
const COMMIT_FUNCTION = "persona_store_commit_v1";
const COMMIT_SIGNATURE = "text[], text[], jsonb[], double precision[], smallint[]";

/** The revision the CAS checks, computed by Postgres from the value: its numeric `rev`, else 0 (as `revOf`). */
const REV_EXPRESSION = `CASE WHEN jsonb_typeof(value -> 'rev') = 'number' THEN (value ->> 'rev')::double precision ELSE 0 END`;

/** How commitAtomically tells the function what to check, per write. */
const MODE = { none: 0, rev: 1, absent: 2 } as const;

/**
 * The compare-and-swap as one server-side call. Absence checks without a
 * value come first; with several revisions to check, their rows are locked
 * (SELECT ... FOR UPDATE, in the (ns, key) order callers sort by) and checked
 * before anything is written; then the conditional updates and deletes
 * (`... AND rev = expected`, which re-checks the row's latest version under
 * its lock), then
 * the conditional inserts (ON CONFLICT DO NOTHING), then the unconditional
 * writes. A condition that fails before anything was written returns false;
 * one that fails after a write (another writer got in between) aborts the call
 * with serialization_failure (40001), so nothing is half-written.
 */
function commitFunctionSql(table: string, fn: string): string {
  return `
CREATE OR REPLACE FUNCTION ${fn}(p_ns text[], p_key text[], p_value jsonb[], p_expect double precision[], p_mode smallint[])
RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
  i integer;
  n integer := coalesce(array_length(p_ns, 1), 0);
  checked integer := 0;
  current_rev double precision;
  wrote boolean := false;
BEGIN
  FOR i IN 1 .. n LOOP
    IF p_mode[i] = ${MODE.absent} AND p_value[i] IS NULL THEN
      PERFORM 1 FROM ${table} WHERE ns = p_ns[i] AND key = p_key[i];
      IF FOUND THEN RETURN false; END IF;
    ELSIF p_mode[i] = ${MODE.rev} THEN
      checked := checked + 1;
    END IF;
  END LOOP;
  -- Several revisions to check: lock and check them all before writing, so a
  -- conflict is a plain false, not an aborted call.
  IF checked > 1 THEN
    FOR i IN 1 .. n LOOP
      IF p_mode[i] = ${MODE.rev} THEN
        SELECT rev INTO current_rev FROM ${table} WHERE ns = p_ns[i] AND key = p_key[i] FOR UPDATE;
        IF NOT FOUND OR current_rev <> p_expect[i] THEN RETURN false; END IF;
      END IF;
    END LOOP;
  END IF;
  FOR i IN 1 .. n LOOP
    IF p_mode[i] = ${MODE.rev} THEN
      IF p_value[i] IS NULL THEN
        DELETE FROM ${table} WHERE ns = p_ns[i] AND key = p_key[i] AND rev = p_expect[i];
      ELSE
        UPDATE ${table} SET value = p_value[i], updated_at = now() WHERE ns = p_ns[i] AND key = p_key[i] AND rev = p_expect[i];
      END IF;
      IF NOT FOUND THEN
        IF wrote THEN RAISE EXCEPTION 'persona store: item % changed concurrently', p_key[i] USING ERRCODE = '40001'; END IF;
        RETURN false;
      END IF;
      wrote := true;
    END IF;
  END LOOP;
  FOR i IN 1 .. n LOOP
    IF p_mode[i] = ${MODE.absent} AND p_value[i] IS NOT NULL THEN
      INSERT INTO ${table} (ns, key, value) VALUES (p_ns[i], p_key[i], p_value[i]) ON CONFLICT (ns, key) DO NOTHING;
      IF NOT FOUND THEN
        IF wrote THEN RAISE EXCEPTION 'persona store: item % was created concurrently', p_key[i] USING ERRCODE = '40001'; END IF;
        RETURN false;
      END IF;
      wrote := true;
    END IF;
  END LOOP;
  FOR i IN 1 .. n LOOP
    IF p_mode[i] = ${MODE.none} THEN
      IF p_value[i] IS NULL THEN
        DELETE FROM ${table} WHERE ns = p_ns[i] AND key = p_key[i];
      ELSE
        INSERT INTO ${table} (ns, key, value) VALUES (p_ns[i], p_key[i], p_value[i])
        ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = now();
      END IF;
    END IF;
  END LOOP;
  RETURN true;
END
$fn$`;
}

/**
 * A LangGraph BaseStore in PostgreSQL with whole-label namespace search (labels
 * are compared as text, never as patterns) and a multi-item compare-and-swap
 * (`commitAtomically`) in one server-side call with row locks, safe across
 * processes and machines. Reads of one item, or of several items only, are one
 * statement without BEGIN/COMMIT; statements are prepared once per connection.
 *
 * @example
 * const store = new PostgresStore("postgres://app@db/persona", { schema: "persona" });
 * await store.put(["persona", "u1"], "current", { rev: 1 });
 * await store.commitAtomically([{ namespace: ["persona", "u1"], key: "current", value: { rev: 2 }, expectRev: 1 }]);
 * await store.close();
 */
export class PostgresStore extends BaseStore implements AtomicCommitStore {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** True when opened read-only: writes throw. */
  readonly readOnly: boolean;
  /** The URL error messages name. */
  readonly location: string;
  private readonly table: string;
  private readonly commitFunction: string;
  private readonly ownsPool: boolean;
  /** Prefix of this store's prepared statement names (unique per schema, at most 63 bytes). */
  private readonly statementPrefix: string;
  private ready: Promise<void> | undefined;
  /** False when opened read-only on a schema without the table: reads find nothing. */
  private tableExists = true;

  /**
   * Uses a connection string (the store then owns its pool) or an existing pool.
   *
   * @param connection a postgres:// URL or a pg Pool
   * @param options schema and read-only mode
   */
  constructor(connection: string | pg.Pool, options: PostgresStoreOptions = {}) {
    super();
    this.ownsPool = typeof connection === "string";
    this.pool = typeof connection === "string" ? new pg.Pool({ connectionString: connection }) : connection;
    this.schema = assertSchemaName(options.schema ?? "public");
    this.readOnly = options.readOnly ?? false;
    this.location = options.location ?? (typeof connection === "string" ? redactPostgresUrl(connection) : describePool(this.pool));
    this.table = `"${this.schema}".persona_store_items`;
    this.commitFunction = `"${this.schema}".${COMMIT_FUNCTION}`;
    this.statementPrefix = `persona_${createHash("sha1").update(this.schema).digest("hex").slice(0, 12)}`;
  }

  /**
   * Creates the schema, the table (with its generated `rev` column) and the
   * commit function if missing; adds the `rev` column to a table created by an
   * older version. Read-only: only checks that the table exists. Called on
   * first use; safe to call again and from several processes at once.
   *
   * @returns when the store is ready
   * @throws PersistenceError naming the server when it cannot
   */
  setup(): Promise<void> {
    this.ready ??= (this.readOnly ? this.checkTable() : this.createTables()).catch((error: unknown) => {
      this.ready = undefined;
      throw postgresError(this.location, "set up the store tables on", error);
    });
    return this.ready;
  }

  private async checkTable(): Promise<void> {
    const result = await this.pool.query<{ found: string | null }>("SELECT to_regclass($1) AS found", [this.table]);
    this.tableExists = result.rows[0]?.found != null;
  }

  private async createTables(): Promise<void> {
    const state = await this.pool.query<{ table: string | null; rev: boolean; fn: string | null }>(
      `SELECT to_regclass($1) AS table,
              EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'rev' AND NOT attisdropped) AS rev,
              to_regprocedure($2) AS fn`,
      [this.table, `${this.commitFunction}(${COMMIT_SIGNATURE})`],
    );
    const found = state.rows[0];
    if (found?.table && found.rev && found.fn) return; // nothing to create: no DDL, no catalog writes
    const client = await this.pool.connect();
    try {
      // Serialize concurrent first-time setups (CREATE ... IF NOT EXISTS can race).
      await client.query("SELECT pg_advisory_lock(hashtext($1))", [this.table]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
          ns TEXT COLLATE "C" NOT NULL,
          key TEXT COLLATE "C" NOT NULL,
          value JSONB NOT NULL,
          created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
          updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
          rev DOUBLE PRECISION GENERATED ALWAYS AS (${REV_EXPRESSION}) STORED,
          PRIMARY KEY (ns, key)
        )`);
      // Tables created before the rev column: add it (rewrites the table once).
      await client.query(
        `ALTER TABLE ${this.table} ADD COLUMN IF NOT EXISTS rev DOUBLE PRECISION GENERATED ALWAYS AS (${REV_EXPRESSION}) STORED`,
      );
      await client.query(commitFunctionSql(this.table, this.commitFunction));
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [this.table]).catch(() => undefined);
      client.release();
    }
  }

  private statement(name: string, text: string, values: unknown[]): pg.QueryConfig {
    return { name: `${this.statementPrefix}_${name}`, text, values };
  }

  private toItem(row: Row): Item {
    return {
      namespace: decodeNamespace(row.ns),
      key: row.key,
      value: row.value,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }

  private writable(): void {
    if (this.readOnly) {
      throw new PersistenceError(`cannot write to Postgres at ${this.location}: the store was opened read-only`, {
        location: this.location,
        badInput: false,
        code: "25006",
      });
    }
  }

  private async getOne(client: pg.ClientBase | pg.Pool, op: GetOperation): Promise<Item | null> {
    validateLabels(op.namespace, false);
    if (!this.tableExists) return null;
    const result = await client.query<Row>(
      this.statement(
        "get",
        `SELECT ns, key, value, created_at, updated_at FROM ${this.table} WHERE ns = $1 AND key = $2`,
        [encodeNamespace(op.namespace), op.key],
      ),
    );
    return result.rows[0] ? this.toItem(result.rows[0]) : null;
  }

  /** Several gets as one statement (one snapshot, one round trip). */
  private async getMany(ops: GetOperation[]): Promise<Array<Item | null>> {
    const namespaces = ops.map((op) => {
      validateLabels(op.namespace, false);
      return encodeNamespace(op.namespace);
    });
    if (!this.tableExists) return ops.map(() => null);
    const result = await this.pool.query<Row & { i: string }>(
      this.statement(
        "get_many",
        `SELECT t.ns, t.key, t.value, t.created_at, t.updated_at, q.i
           FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(ns, key, i)
           JOIN ${this.table} t ON t.ns = q.ns AND t.key = q.key`,
        [namespaces, ops.map((op) => op.key)],
      ),
    );
    const out: Array<Item | null> = ops.map(() => null);
    for (const row of result.rows) out[Number(row.i) - 1] = this.toItem(row);
    return out;
  }

  private async putOne(client: pg.ClientBase | pg.Pool, op: PutOperation): Promise<void> {
    validateLabels(op.namespace, false);
    this.writable();
    const ns = encodeNamespace(op.namespace);
    if (op.value === null) {
      await client.query(this.statement("delete", `DELETE FROM ${this.table} WHERE ns = $1 AND key = $2`, [ns, op.key]));
      return;
    }
    if (typeof op.value !== "object" || Array.isArray(op.value)) {
      throw new TypeError("store values must be plain objects");
    }
    await client.query(
      this.statement(
        "put",
        `INSERT INTO ${this.table} (ns, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = now()`,
        [ns, op.key, JSON.stringify(op.value)],
      ),
    );
  }

  private async searchMany(client: pg.ClientBase | pg.Pool, op: SearchOperation): Promise<SearchItem[]> {
    validateLabels(op.namespacePrefix, true);
    if (!this.tableExists) return [];
    const offset = op.offset ?? 0;
    const limit = op.limit ?? 10;
    if (limit <= 0) return [];
    const range = op.namespacePrefix.length ? namespaceRange(op.namespacePrefix) : undefined;
    const out: SearchItem[] = [];
    let skipped = 0;
    let after: [string, string] = ["", ""];
    // Page through the prefix in key order; filters are applied here so they
    // behave exactly like SqliteStore's. The range compares bytes ("C"
    // collation): no character of a label acts as a pattern.
    for (;;) {
      const result = await client.query<Row>(
        range
          ? this.statement(
              "scan_range",
              `SELECT ns, key, value, created_at, updated_at FROM ${this.table}
                WHERE ns >= $1 AND ns < $2 AND (ns, key) > ($3, $4) ORDER BY ns, key LIMIT ${SCAN_PAGE}`,
              [range[0], range[1], after[0], after[1]],
            )
          : this.statement(
              "scan_all",
              `SELECT ns, key, value, created_at, updated_at FROM ${this.table}
                WHERE (ns, key) > ($1, $2) ORDER BY ns, key LIMIT ${SCAN_PAGE}`,
              [after[0], after[1]],
            ),
      );
      for (const row of result.rows) {
        const item = this.toItem(row);
        if (!matchesFilter(item.value, op.filter)) continue;
        if (skipped < offset) {
          skipped++;
          continue;
        }
        out.push({ ...item, score: undefined });
        if (out.length >= limit) return out;
      }
      if (result.rows.length < SCAN_PAGE) return out;
      const last = result.rows[result.rows.length - 1]!;
      after = [last.ns, last.key];
    }
  }

  private async listNamespacesOnce(client: pg.ClientBase | pg.Pool, op: ListNamespacesOperation): Promise<string[][]> {
    if (!this.tableExists) return [];
    // Narrow the scan to the literal labels of a prefix condition (up to its first "*").
    const prefix = literalPrefix(op);
    const result = await client.query<{ ns: string }>(
      prefix.length
        ? this.statement("namespaces_range", `SELECT DISTINCT ns FROM ${this.table} WHERE ns >= $1 AND ns < $2 ORDER BY ns`, namespaceRange(prefix))
        : this.statement("namespaces_all", `SELECT DISTINCT ns FROM ${this.table} ORDER BY ns`, []),
    );
    return selectNamespaces(
      result.rows.map((row) => decodeNamespace(row.ns)),
      op,
    );
  }

  private async runOne(client: pg.ClientBase | pg.Pool, op: Operation): Promise<unknown> {
    if ("namespacePrefix" in op) return this.searchMany(client, op);
    if ("matchConditions" in op || ("limit" in op && !("namespace" in op))) {
      return this.listNamespacesOnce(client, op as ListNamespacesOperation);
    }
    if ("value" in op) {
      await this.putOne(client, op as PutOperation);
      return undefined;
    }
    return this.getOne(client, op as GetOperation);
  }

  /**
   * Runs the operations in order. One operation, or only gets, run as one
   * statement without a transaction; anything else runs in one transaction.
   *
   * @param operations gets, puts, searches and namespace listings
   * @returns one result per operation
   * @throws PersistenceError naming the server when the database fails
   */
  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    await this.setup();
    try {
      if (operations.length === 1) return [await this.runOne(this.pool, operations[0]!)] as OperationResults<Op>;
      const onlyGets = operations.every((op) => !("value" in op) && "key" in op && "namespace" in op);
      if (onlyGets) return (await this.getMany(operations as GetOperation[])) as OperationResults<Op>;
    } catch (error) {
      throw this.wrap("use", error);
    }
    const client = await this.connect();
    try {
      await client.query("BEGIN");
      const results: unknown[] = [];
      for (const op of operations) results.push(await this.runOne(client, op));
      await client.query("COMMIT");
      return results as OperationResults<Op>;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw this.wrap("use", error);
    } finally {
      client.release();
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw postgresError(this.location, "connect to", error);
    }
  }

  private wrap(action: string, error: unknown): unknown {
    // Mistakes in the call (bad labels, bad values) keep their own type.
    return isDriverError(error) ? postgresError(this.location, action, error) : error;
  }

  /**
   * Applies the writes if every `expectRev` holds, else none. One write is one
   * statement that checks its own condition (`UPDATE ... WHERE rev = $n`,
   * `INSERT ... ON CONFLICT DO NOTHING`); several are one call of a
   * server-side function (one round trip, one transaction) that runs the same
   * conditional statements in (ns, key) order and rolls everything back when
   * a condition fails after a write. Lock-order deadlocks and serialization
   * failures count as conflicts: the caller rebuilds and retries.
   *
   * @param writes the writes, each item at most once
   * @returns true when applied, false when a condition failed (nothing written)
   * @throws TypeError when an item appears twice or a value is not an object; PersistenceError naming the server when the database fails
   */
  async commitAtomically(writes: AtomicWrite[]): Promise<boolean> {
    this.writable();
    assertDistinctWrites(writes);
    const rows = writes.map((write) => {
      validateLabels(write.namespace, false);
      if (write.value !== null && (typeof write.value !== "object" || Array.isArray(write.value))) {
        throw new TypeError("store values must be plain objects");
      }
      return { ns: encodeNamespace(write.namespace), write };
    });
    await this.setup();
    if (rows.length === 1) {
      try {
        return await this.commitOne(rows[0]!.ns, rows[0]!.write);
      } catch (error) {
        if (CONFLICT_CODES.has((error as { code?: string }).code ?? "")) return false;
        throw this.wrap("write to", error);
      }
    }
    // One lock order for every writer: no deadlock between two commits of the same items.
    rows.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.write.key < b.write.key ? -1 : a.write.key > b.write.key ? 1 : 0));
    try {
      const result = await this.pool.query<{ ok: boolean }>(
        this.statement("commit", `SELECT ${this.commitFunction}($1, $2, $3, $4, $5) AS ok`, [
          rows.map((row) => row.ns),
          rows.map((row) => row.write.key),
          rows.map((row) => (row.write.value === null ? null : JSON.stringify(row.write.value))),
          rows.map((row) => (typeof row.write.expectRev === "number" ? row.write.expectRev : null)),
          rows.map((row) =>
            row.write.expectRev === undefined ? MODE.none : row.write.expectRev === null ? MODE.absent : MODE.rev,
          ),
        ]),
      );
      return result.rows[0]?.ok === true;
    } catch (error) {
      if (CONFLICT_CODES.has((error as { code?: string }).code ?? "")) return false;
      throw this.wrap("write to", error);
    }
  }

  /** A commit of one write: one statement that checks its own condition, no function call. */
  private async commitOne(ns: string, write: AtomicWrite): Promise<boolean> {
    const { key, value, expectRev } = write;
    const json = value === null ? null : JSON.stringify(value);
    let query: pg.QueryConfig;
    if (expectRev === undefined) {
      await this.putOne(this.pool, { namespace: write.namespace, key, value });
      return true;
    } else if (expectRev === null) {
      query =
        json === null
          ? this.statement("exists", `SELECT 1 FROM ${this.table} WHERE ns = $1 AND key = $2`, [ns, key])
          : this.statement("insert_absent", `INSERT INTO ${this.table} (ns, key, value) VALUES ($1, $2, $3) ON CONFLICT (ns, key) DO NOTHING`, [ns, key, json]);
      const result = await this.pool.query(query);
      return json === null ? result.rowCount === 0 : result.rowCount === 1;
    } else if (json === null) {
      query = this.statement("delete_rev", `DELETE FROM ${this.table} WHERE ns = $1 AND key = $2 AND rev = $3`, [ns, key, expectRev]);
    } else {
      query = this.statement(
        "update_rev",
        `UPDATE ${this.table} SET value = $3, updated_at = now() WHERE ns = $1 AND key = $2 AND rev = $4`,
        [ns, key, json, expectRev],
      );
    }
    return (await this.pool.query(query)).rowCount === 1;
  }

  /** Ends the pool if this store created it. */
  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
