import Database from "better-sqlite3";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { SqliteStore } from "./sqliteStore.js";

export interface SqlitePersistence {
  checkpointer: SqliteSaver;
  store: SqliteStore;
  db: Database.Database;
  close(): void;
}

/**
 * Opens one SQLite file that holds both the thread checkpoints and the persona
 * store, on one connection with WAL and a busy timeout (the checkpointer sets
 * none of its own), so several processes can share the file.
 */
export function openSqlitePersistence(path: string, options: { busyTimeoutMs?: number } = {}): SqlitePersistence {
  const db = new Database(path);
  const store = new SqliteStore(db, options);
  const checkpointer = new SqliteSaver(db);
  return {
    checkpointer,
    store,
    db,
    close: () => {
      if (db.open) db.close();
    },
  };
}
