import pg from "pg";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { Checkpoint, CheckpointListOptions, CheckpointMetadata, CheckpointTuple, PendingWrite } from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { PersistenceError, postgresError } from "./errors.js";
import { PostgresStore } from "./postgresStore.js";
import { assertSchemaName, parsePostgresUrl, redactPostgresUrl } from "./postgresUrl.js";
import type { ScrubOptions, ScrubReport } from "./scrubReport.js";

/**
 * Checkpoints and persona memory in one Postgres schema, on one pool.
 *
 * @example
 * const persistence = await openPostgresPersistence("postgres://app@db/persona?schema=persona");
 */
export interface PostgresPersistence {
  kind: "postgres";
  checkpointer: PostgresSaver;
  store: PostgresStore;
  pool: pg.Pool;
  /** True when opened with `readOnly`. */
  readOnly: boolean;
  /**
   * After rows were deleted: VACUUM (or VACUUM FULL with `compact`) on the
   * store and checkpoint tables, and a statement of what that guarantees.
   */
  scrubDeleted(options?: ScrubOptions): Promise<ScrubReport>;
  close(): Promise<void>;
}

/**
 * Options of {@link openPostgresPersistence}.
 *
 * @example
 * await openPostgresPersistence(url, { schema: "persona", readOnly: true });
 */
export interface PostgresPersistenceOptions {
  /**
   * Schema for the checkpoint and store tables.
   * @default the URL's `schema` parameter, else "public"
   */
  schema?: string;
  /**
   * Open without writing anything: no table created or migrated, and every
   * transaction of the pool read-only (`default_transaction_read_only`).
   * @default false
   */
  readOnly?: boolean;
}

/** The tables forget deletes from; scrubDeleted vacuums them. */
const ERASED_TABLES = ["persona_store_items", "checkpoints", "checkpoint_blobs", "checkpoint_writes"] as const;

const NOT_COVERED =
  "Not covered: the write-ahead log (pg_wal) keeps the deleted values until its segments are recycled after later checkpoints, and WAL archives, replicas and backups keep them as long as they are kept.";

/**
 * What scrubDeleted guarantees on Postgres, without and with `compact`.
 *
 * @param compact whether VACUUM FULL ran
 * @returns the statement the CLI prints
 * @example
 * postgresErasureStatement(false);
 */
export function postgresErasureStatement(compact: boolean): string {
  const tables = ERASED_TABLES.join(", ");
  return compact
    ? `Postgres: the rows are deleted, so no query and no pg_dump returns them, and VACUUM FULL rewrote ${tables} with their TOAST tables and indexes into new files that hold no deleted row; the old files were removed, not overwritten, so their blocks stay on the disk until reused. ${NOT_COVERED}`
    : `Postgres: the rows are deleted, so no query and no pg_dump returns them, and VACUUM marked their space for reuse (empty pages at the end of a table are given back to the file system). VACUUM does not overwrite that space: deleted bytes can stay in the table files as dead tuples until new rows reuse it or the tables are rewritten (--compact runs VACUUM FULL, which locks each table while it runs). ${NOT_COVERED}`;
}

/**
 * LangGraph's PostgresSaver whose errors name the server; read-only, it
 * refuses writes.
 */
class NamedPostgresSaver extends PostgresSaver {
  /** Read-only: whether the checkpoint tables exist (checked once). */
  private tables: Promise<boolean> | undefined;

  constructor(
    private readonly connections: pg.Pool,
    private readonly schemaName: string,
    private readonly location: string,
    private readonly readOnly: boolean,
  ) {
    super(connections, undefined, { schema: schemaName });
  }

  /** Read-only on a schema without checkpoint tables: an empty checkpointer. */
  private hasTables(): Promise<boolean> {
    if (!this.readOnly) return Promise.resolve(true);
    this.tables ??= this.connections
      .query<{ found: string | null }>("SELECT to_regclass($1) AS found", [`"${this.schemaName}".checkpoints`])
      .then((result) => result.rows[0]?.found != null);
    return this.tables;
  }

  private refuseWrite(): never {
    throw new PersistenceError(`cannot write checkpoints to Postgres at ${this.location}: it was opened read-only`, {
      location: this.location,
      badInput: false,
      code: "25006",
    });
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    try {
      if (!(await this.hasTables())) return undefined;
      return await super.getTuple(config);
    } catch (error) {
      throw postgresError(this.location, "read checkpoints from", error);
    }
  }

  override async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    try {
      if (!(await this.hasTables())) return;
      yield* super.list(config, options);
    } catch (error) {
      throw postgresError(this.location, "read checkpoints from", error);
    }
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: Record<string, string | number>): Promise<RunnableConfig> {
    if (this.readOnly) this.refuseWrite();
    try {
      return await super.put(config, checkpoint, metadata, newVersions);
    } catch (error) {
      throw postgresError(this.location, "write checkpoints to", error);
    }
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    if (this.readOnly) this.refuseWrite();
    try {
      await super.putWrites(config, writes, taskId);
    } catch (error) {
      throw postgresError(this.location, "write checkpoints to", error);
    }
  }

  override async deleteThread(threadId: string): Promise<void> {
    if (this.readOnly) this.refuseWrite();
    try {
      await super.deleteThread(threadId);
    } catch (error) {
      throw postgresError(this.location, "delete checkpoints from", error);
    }
  }
}

/**
 * Opens Postgres for both thread checkpoints (LangGraph's PostgresSaver) and
 * persona memory (PostgresStore), on one connection pool, creating the tables
 * if needed (not when `readOnly`). Every error is a PersistenceError naming
 * the server (password hidden); `badInput` for an unparsable URL, a bad schema
 * name, an unknown database or rejected credentials.
 *
 * @param url a postgres:// URL, optionally with `?schema=name`
 * @param options schema and read-only mode
 * @returns the checkpointer, the store and their pool
 * @throws PersistenceError naming the server
 * @example
 * const { checkpointer, store, close } = await openPostgresPersistence("postgres://app@127.0.0.1/persona");
 */
export async function openPostgresPersistence(
  url: string,
  options: PostgresPersistenceOptions = {},
): Promise<PostgresPersistence> {
  const location = redactPostgresUrl(url);
  const readOnly = options.readOnly ?? false;
  let connectionString: string;
  let schema: string;
  try {
    const parsed = parsePostgresUrl(url);
    connectionString = parsed.connectionString;
    schema = assertSchemaName(options.schema ?? parsed.schema ?? "public");
  } catch (error) {
    throw new PersistenceError(`cannot use the Postgres URL ${location}: ${(error as Error).message}`, {
      location,
      badInput: true,
      code: "ERR_INVALID_URL",
      cause: error,
    });
  }
  const pool = new pg.Pool({
    connectionString,
    max: 8,
    ...(readOnly ? { options: "-c default_transaction_read_only=on" } : {}),
  });
  pool.on("error", () => undefined); // idle-client errors surface on the next query instead
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw postgresError(location, "connect to", error);
  }
  const checkpointer = new NamedPostgresSaver(pool, schema, location, readOnly);
  const store = new PostgresStore(pool, { schema, readOnly, location });
  try {
    if (!readOnly) {
      // Concurrent first-time setups of the saver's migrations can race; serialize them.
      const client = await pool.connect();
      try {
        await client.query("SELECT pg_advisory_lock(hashtext($1))", [`persona-setup:${schema}`]);
        await checkpointer.setup();
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtext($1))", [`persona-setup:${schema}`]).catch(() => undefined);
        client.release();
      }
    }
    await store.setup();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw postgresError(location, "set up the tables on", error);
  }
  return {
    kind: "postgres",
    checkpointer,
    store,
    pool,
    readOnly,
    scrubDeleted: async (scrub: ScrubOptions = {}) => {
      if (readOnly) {
        throw new PersistenceError(`cannot scrub Postgres at ${location}: it was opened read-only`, {
          location,
          badInput: false,
          code: "25006",
        });
      }
      const command = scrub.compact ? "VACUUM FULL" : "VACUUM";
      for (const table of ERASED_TABLES) {
        try {
          await pool.query(`${command} "${schema}".${table}`);
        } catch (error) {
          throw postgresError(location, `run ${command} on ${schema}.${table} at`, error);
        }
      }
      return { kind: "postgres", compacted: scrub.compact ?? false, statement: postgresErasureStatement(scrub.compact ?? false) };
    },
    close: () => pool.end(),
  };
}
