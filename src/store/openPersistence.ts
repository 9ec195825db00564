import type { BaseCheckpointSaver, BaseStore } from "@langchain/langgraph";
import { ConfigurationError } from "../models/openaiCompatible.js";
import { isPostgresUrl, redactPostgresUrl } from "./postgresUrl.js";
import { openSqlitePersistence } from "./sqlitePersistence.js";

/** Checkpoints and persona memory in one place, whichever database it is. */
export interface Persistence {
  kind: "sqlite" | "postgres";
  /** The SQLite file path, or the Postgres URL without its password. */
  location: string;
  checkpointer: BaseCheckpointSaver;
  store: BaseStore;
  /** Makes deleted rows unrecoverable from the database files where the database allows it. */
  scrubDeleted(): Promise<void>;
  close(): Promise<void>;
}

/** Loads the Postgres modules on demand: their packages are optional. */
async function loadPostgres(): Promise<typeof import("./postgresPersistence.js")> {
  try {
    return await import("./postgresPersistence.js");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new ConfigurationError(
        "Postgres needs two optional packages: npm install pg @langchain/langgraph-checkpoint-postgres",
      );
    }
    throw error;
  }
}

/**
 * Opens persistence from one setting: a `postgres://` (or `postgresql://`) URL
 * selects Postgres (optional `?schema=name`), anything else is a SQLite file path.
 */
export async function openPersistence(location: string): Promise<Persistence> {
  if (isPostgresUrl(location)) {
    const { openPostgresPersistence } = await loadPostgres();
    const postgres = await openPostgresPersistence(location);
    return { ...postgres, location: redactPostgresUrl(location) };
  }
  const sqlite = openSqlitePersistence(location);
  return {
    kind: "sqlite",
    location,
    checkpointer: sqlite.checkpointer,
    store: sqlite.store,
    scrubDeleted: async () => sqlite.scrubDeleted(),
    close: async () => sqlite.close(),
  };
}
