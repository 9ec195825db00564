import pg from "pg";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { PostgresStore } from "./postgresStore.js";
import { assertSchemaName, parsePostgresUrl, redactPostgresUrl } from "./postgresUrl.js";

export interface PostgresPersistence {
  kind: "postgres";
  checkpointer: PostgresSaver;
  store: PostgresStore;
  pool: pg.Pool;
  /** Postgres keeps deleted rows until VACUUM; this runs it on the store and checkpoint tables. */
  scrubDeleted(): Promise<void>;
  close(): Promise<void>;
}

export interface PostgresPersistenceOptions {
  /** Schema for the checkpoint and store tables. Default: the URL's `schema` parameter, else "public". */
  schema?: string;
}

/**
 * Opens Postgres for both thread checkpoints (LangGraph's PostgresSaver) and
 * persona memory (PostgresStore), on one connection pool, creating the tables
 * if needed. Fails with a message naming the server when it cannot connect.
 */
export async function openPostgresPersistence(
  url: string,
  options: PostgresPersistenceOptions = {},
): Promise<PostgresPersistence> {
  const { connectionString, schema: urlSchema } = parsePostgresUrl(url);
  const schema = assertSchemaName(options.schema ?? urlSchema ?? "public");
  const pool = new pg.Pool({ connectionString, max: 8 });
  pool.on("error", () => undefined); // idle-client errors surface on the next query instead
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot connect to Postgres at ${redactPostgresUrl(url)}: ${(error as Error).message}`);
  }
  const checkpointer = new PostgresSaver(pool, undefined, { schema });
  const store = new PostgresStore(pool, { schema });
  // Concurrent first-time setups of the saver's migrations can race; serialize them.
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [`persona-setup:${schema}`]);
    await checkpointer.setup();
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext($1))", [`persona-setup:${schema}`]).catch(() => undefined);
    client.release();
  }
  await store.setup();
  return {
    kind: "postgres",
    checkpointer,
    store,
    pool,
    scrubDeleted: async () => {
      for (const table of ["persona_store_items", "checkpoints", "checkpoint_blobs", "checkpoint_writes"]) {
        await pool.query(`VACUUM "${schema}".${table}`);
      }
    },
    close: () => pool.end(),
  };
}
