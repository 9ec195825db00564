import Database from "better-sqlite3";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { SqliteStore } from "./sqliteStore.js";

export interface SqlitePersistence {
  checkpointer: SqliteSaver;
  store: SqliteStore;
  db: Database.Database;
  /** Overwrites what deleted rows left behind in the file and its WAL (see scrubSqliteFile). */
  scrubDeleted(): void;
  close(): void;
}

/**
 * Removes every trace of deleted rows from a SQLite database in WAL mode:
 * moves the WAL into the main file, rebuilds the file with VACUUM (freed pages
 * and unused cell space go away), and truncates the WAL, whose old frames
 * would otherwise still hold deleted values. Throws when another connection
 * keeps the WAL from being truncated.
 */
export function scrubSqliteFile(db: Database.Database): void {
  db.pragma("secure_delete = ON");
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.exec("VACUUM");
  const [result] = db.pragma("wal_checkpoint(TRUNCATE)") as Array<{ busy: number }>;
  if (result && result.busy !== 0) {
    throw new Error(
      "the data is deleted, but another process has the database open, so its write-ahead log still holds the old pages; close the other process and run the command again to scrub them",
    );
  }
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
    scrubDeleted: () => scrubSqliteFile(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
