import type { BaseCheckpointSaver, BaseStore } from "@langchain/langgraph";
import { isPostgresUrl, openPostgresPersistence, redactPostgresUrl } from "./postgresPersistence.js";
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

/**
 * Opens persistence from one setting: a `postgres://` (or `postgresql://`) URL
 * selects Postgres (optional `?schema=name`), anything else is a SQLite file path.
 */
export async function openPersistence(location: string): Promise<Persistence> {
  if (isPostgresUrl(location)) {
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
