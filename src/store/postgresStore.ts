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
import { revOf, type AtomicCommitStore, type AtomicWrite } from "../memory/atomicCommit.js";
import {
  decodeNamespace,
  encodeNamespace,
  matchesFilter,
  selectNamespaces,
  validateLabels,
} from "./storeSemantics.js";
import { assertSchemaName } from "./postgresUrl.js";

type SearchItem = Item & { score?: number };

export interface PostgresStoreOptions {
  /** Schema that holds the store table (created if missing). Default "public". */
  schema?: string;
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

/**
 * A LangGraph BaseStore in PostgreSQL with whole-label namespace search and a
 * multi-item compare-and-swap (`commitAtomically`) in one transaction with row
 * locks, safe across processes and machines.
 */
export class PostgresStore extends BaseStore implements AtomicCommitStore {
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly table: string;
  private readonly ownsPool: boolean;
  private ready: Promise<void> | undefined;

  /** Uses a connection string (the store then owns its pool) or an existing pool. */
  constructor(connection: string | pg.Pool, options: PostgresStoreOptions = {}) {
    super();
    this.ownsPool = typeof connection === "string";
    this.pool = typeof connection === "string" ? new pg.Pool({ connectionString: connection }) : connection;
    this.schema = assertSchemaName(options.schema ?? "public");
    this.table = `"${this.schema}".persona_store_items`;
  }

  /** Creates the schema and table if missing. Called on first use; safe to call again. */
  setup(): Promise<void> {
    this.ready ??= (async () => {
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
            PRIMARY KEY (ns, key)
          )`);
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtext($1))", [this.table]).catch(() => undefined);
        client.release();
      }
    })().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
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

  private async getOne(client: pg.ClientBase, op: GetOperation, lock = false): Promise<Item | null> {
    validateLabels(op.namespace, false);
    const result = await client.query<Row>(
      `SELECT ns, key, value, created_at, updated_at FROM ${this.table} WHERE ns = $1 AND key = $2${lock ? " FOR UPDATE" : ""}`,
      [encodeNamespace(op.namespace), op.key],
    );
    return result.rows[0] ? this.toItem(result.rows[0]) : null;
  }

  private async putOne(client: pg.ClientBase, op: PutOperation): Promise<void> {
    validateLabels(op.namespace, false);
    const ns = encodeNamespace(op.namespace);
    if (op.value === null) {
      await client.query(`DELETE FROM ${this.table} WHERE ns = $1 AND key = $2`, [ns, op.key]);
      return;
    }
    if (typeof op.value !== "object" || Array.isArray(op.value)) {
      throw new TypeError("store values must be plain objects");
    }
    await client.query(
      `INSERT INTO ${this.table} (ns, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = now()`,
      [ns, op.key, JSON.stringify(op.value)],
    );
  }

  private async searchMany(client: pg.ClientBase, op: SearchOperation): Promise<SearchItem[]> {
    validateLabels(op.namespacePrefix, true);
    const offset = op.offset ?? 0;
    const limit = op.limit ?? 10;
    const prefix = encodeNamespace(op.namespacePrefix);
    const out: SearchItem[] = [];
    let skipped = 0;
    let after: [string, string] | undefined;
    // Page through the prefix in key order; filters are applied here so they
    // behave exactly like SqliteStore's.
    for (;;) {
      const params: unknown[] = [prefix];
      let where = "starts_with(ns, $1)";
      if (after) {
        params.push(after[0], after[1]);
        where += " AND (ns, key) > ($2, $3)";
      }
      const result = await client.query<Row>(
        `SELECT ns, key, value, created_at, updated_at FROM ${this.table} WHERE ${where} ORDER BY ns, key LIMIT ${SCAN_PAGE}`,
        params,
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

  private async listNamespacesOnce(client: pg.ClientBase, op: ListNamespacesOperation): Promise<string[][]> {
    const result = await client.query<{ ns: string }>(`SELECT DISTINCT ns FROM ${this.table} ORDER BY ns`);
    return selectNamespaces(
      result.rows.map((row) => decodeNamespace(row.ns)),
      op,
    );
  }

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    await this.setup();
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const results: unknown[] = [];
      for (const op of operations) {
        if ("namespacePrefix" in op) results.push(await this.searchMany(client, op));
        else if ("matchConditions" in op || ("limit" in op && !("namespace" in op))) {
          results.push(await this.listNamespacesOnce(client, op as ListNamespacesOperation));
        } else if ("value" in op) {
          await this.putOne(client, op as PutOperation);
          results.push(undefined);
        } else results.push(await this.getOne(client, op as GetOperation));
      }
      await client.query("COMMIT");
      return results as OperationResults<Op>;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Applies the writes in one transaction if every `expectRev` holds. Existing
   * rows are locked (SELECT ... FOR UPDATE) before the check; a row expected to
   * be absent is inserted with ON CONFLICT DO NOTHING, so two writers can never
   * both create it. Lock-order deadlocks and serialization failures count as
   * conflicts: the caller rebuilds and retries.
   */
  async commitAtomically(writes: AtomicWrite[]): Promise<boolean> {
    await this.setup();
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      for (const write of writes) {
        if (write.expectRev === undefined) continue;
        const current = await this.getOne(client, { namespace: write.namespace, key: write.key }, true);
        if (revOf(current?.value) !== write.expectRev) {
          await client.query("ROLLBACK");
          return false;
        }
      }
      for (const write of writes) {
        if (write.expectRev === null && write.value !== null) {
          const inserted = await client.query(
            `INSERT INTO ${this.table} (ns, key, value) VALUES ($1, $2, $3) ON CONFLICT (ns, key) DO NOTHING`,
            [encodeNamespace(write.namespace), write.key, JSON.stringify(write.value)],
          );
          if (inserted.rowCount !== 1) {
            await client.query("ROLLBACK");
            return false;
          }
        } else {
          await this.putOne(client, { namespace: write.namespace, key: write.key, value: write.value });
        }
      }
      await client.query("COMMIT");
      return true;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      if (CONFLICT_CODES.has((error as { code?: string }).code ?? "")) return false;
      throw error;
    } finally {
      client.release();
    }
  }

  /** Ends the pool if this store created it. */
  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
