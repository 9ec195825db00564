import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { Checkpoint, CheckpointListOptions, CheckpointMetadata, CheckpointTuple, PendingWrite } from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { PersistenceError, sqliteError } from "./errors.js";
import type { ScrubReport } from "./scrubReport.js";
import { SqliteStore } from "./sqliteStore.js";

/**
 * Checkpoints and persona memory in one SQLite file, on one connection.
 *
 * @example
 * const persistence = openSqlitePersistence("./persona.db");
 * const graph = builder.compile({ checkpointer: persistence.checkpointer, store: persistence.store });
 */
export interface SqlitePersistence {
  checkpointer: SqliteSaver;
  store: SqliteStore;
  db: Database.Database;
  /** True when opened with `readOnly`. */
  readOnly: boolean;
  /**
   * True when the file's directory is read-only and the database was read
   * into memory as it was at opening (SQLite cannot open a WAL database there
   * otherwise); later changes by other processes are not seen.
   */
  snapshot: boolean;
  /**
   * Overwrites what deleted rows left behind in the file and its WAL (see
   * scrubSqliteFile) and says what that guarantees.
   */
  scrubDeleted(): ScrubReport;
  close(): void;
}

/**
 * Options of {@link openSqlitePersistence}.
 *
 * @example
 * openSqlitePersistence("./persona.db", { readOnly: true });
 */
export interface SqlitePersistenceOptions {
  /**
   * Milliseconds a writer waits for another process's lock.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * Open without writing anything: no pragma that writes, no table created;
   * works on a read-only file and in a read-only directory. Writes throw.
   * @default false
   */
  readOnly?: boolean;
}

/**
 * Removes every trace of deleted rows from a SQLite database in WAL mode:
 * moves the WAL into the main file, rebuilds the file with VACUUM (freed pages
 * and unused cell space go away), and truncates the WAL, whose old frames
 * would otherwise still hold deleted values. Throws when another connection
 * keeps the WAL from being truncated.
 *
 * @param db an open, writable connection
 * @param location the path named in messages (default: the connection's file name)
 * @returns what the scrub did and guarantees
 * @example
 * scrubSqliteFile(persistence.db);
 */
export function scrubSqliteFile(db: Database.Database, location: string = db.name): ScrubReport {
  try {
    db.pragma("secure_delete = ON");
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.exec("VACUUM");
    const [result] = db.pragma("wal_checkpoint(TRUNCATE)") as Array<{ busy: number }>;
    if (result && result.busy !== 0) {
      throw new PersistenceError(
        `the data is deleted from ${location}, but another process has the database open, so its write-ahead log still holds the old pages; close the other process and run the command again to scrub them`,
        { location, badInput: false, code: "SQLITE_BUSY" },
      );
    }
  } catch (error) {
    throw sqliteError(location, "scrub", error);
  }
  return {
    kind: "sqlite",
    compacted: true,
    statement:
      `SQLite: the file was rebuilt with VACUUM and its write-ahead log truncated, so no byte of the deleted rows remains in ${location} or ${location}-wal. ` +
      "Not covered: copies outside these files (backups, file-system snapshots, the temporary file VACUUM used, blocks the disk freed).",
  };
}

/** Checks the path before SQLite sees it, so each mistake gets its own message. */
function checkPath(path: string, readOnly: boolean): void {
  const bad = (reason: string, code: string) =>
    new PersistenceError(`cannot open the SQLite database ${path}: ${reason}`, { location: path, badInput: true, code });
  if (path === ":memory:" || path === "") {
    if (readOnly) throw bad("an in-memory database cannot be opened read-only", "SQLITE_MISUSE");
    return;
  }
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOTDIR") throw bad("a part of the path is a file, not a directory", code);
    if (code !== "ENOENT") throw sqliteError(path, "open", error);
    if (readOnly) throw bad("no such file (pass --db or set PERSONA_DB)", "ENOENT");
    if (!existsSync(dirname(path))) throw bad(`the directory ${dirname(path)} does not exist`, "ENOENT");
    return;
  }
  if (stats.isDirectory()) throw bad("it is a directory, not a database file", "EISDIR");
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw bad("permission denied: this user cannot read it", (error as { code?: string }).code ?? "EACCES");
  }
  if (readOnly) return;
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    throw new PersistenceError(
      `cannot open the SQLite database ${path} for writing: the file is read-only for this user (commands that only read it, like show, history, diff and export, still work)`,
      { location: path, badInput: false, code: (error as { code?: string }).code ?? "EACCES" },
    );
  }
}

/**
 * Opens the file read-only. SQLite opens a WAL database read-only only where
 * it can create the `-shm` file; in a read-only directory with no
 * write-ahead log left (the last writer closed cleanly), the file alone holds
 * everything, so it is read into memory instead.
 */
function openReadOnly(path: string): { db: Database.Database; snapshot: boolean } {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    return { db, snapshot: false };
  } catch (error) {
    db?.close();
    const code = (error as { code?: string }).code;
    if (code !== "SQLITE_READONLY_DIRECTORY" && code !== "SQLITE_CANTOPEN") throw sqliteError(path, "open", error);
    const wal = `${path}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) {
      throw new PersistenceError(
        `cannot open the SQLite database ${path} read-only: its write-ahead log ${wal} holds changes not yet in the file, and SQLite cannot read it in a directory it may not write to; open it once with write access (or copy the files to a writable directory)`,
        { location: path, badInput: false, code, cause: error },
      );
    }
    const bytes = readFileSync(path);
    // Header bytes 18-19 are 2 for WAL; an in-memory copy must say "rollback journal" (1).
    if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) {
      bytes[18] = 1;
      bytes[19] = 1;
    }
    const copy = new Database(bytes, { readonly: true });
    copy.prepare("SELECT count(*) FROM sqlite_master").get();
    return { db: copy, snapshot: true };
  }
}

type ListOptions = CheckpointListOptions | undefined;

/**
 * The connection as SqliteSaver sees it when read-only: its setup asks for
 * `journal_mode=WAL`, which SQLite refuses on a read-only connection to a file
 * in another mode; the facade answers with the current mode instead.
 */
function readOnlyFacade(db: Database.Database): Database.Database {
  const facade = Object.create(db) as Database.Database;
  facade.pragma = ((source: string, options?: Database.PragmaOptions) =>
    /^\s*journal_mode\s*=/i.test(source) ? db.pragma("journal_mode", options) : db.pragma(source, options)) as Database.Database["pragma"];
  return facade;
}

/**
 * LangGraph's SqliteSaver whose errors name the file; read-only, it creates
 * nothing, reads as empty a file without checkpoint tables, and refuses writes.
 */
class NamedSqliteSaver extends SqliteSaver {
  constructor(
    db: Database.Database,
    private readonly location: string,
    private readonly readOnly: boolean,
  ) {
    super(readOnly ? readOnlyFacade(db) : db);
  }

  private empty: boolean | undefined;

  /** Read-only: no tables means an empty checkpointer. */
  private hasTables(): boolean {
    if (!this.readOnly) return true;
    this.empty ??=
      (this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('checkpoints', 'writes')").get() as { n: number }).n < 2;
    return !this.empty;
  }

  private refuseWrite(): never {
    throw new PersistenceError(`cannot write checkpoints to the SQLite database ${this.location}: it was opened read-only`, {
      location: this.location,
      badInput: false,
      code: "SQLITE_READONLY",
    });
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    try {
      return this.hasTables() ? await super.getTuple(config) : undefined;
    } catch (error) {
      throw sqliteError(this.location, "read checkpoints from", error);
    }
  }

  override async *list(config: RunnableConfig, options?: ListOptions): AsyncGenerator<CheckpointTuple> {
    if (!this.hasTables()) return;
    try {
      yield* super.list(config, options);
    } catch (error) {
      throw sqliteError(this.location, "read checkpoints from", error);
    }
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    if (this.readOnly) this.refuseWrite();
    try {
      return await super.put(config, checkpoint, metadata);
    } catch (error) {
      throw sqliteError(this.location, "write checkpoints to", error);
    }
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    if (this.readOnly) this.refuseWrite();
    try {
      await super.putWrites(config, writes, taskId);
    } catch (error) {
      throw sqliteError(this.location, "write checkpoints to", error);
    }
  }

  override async deleteThread(threadId: string): Promise<void> {
    if (this.readOnly) this.refuseWrite();
    try {
      this.setup();
      await super.deleteThread(threadId);
    } catch (error) {
      throw sqliteError(this.location, "delete checkpoints from", error);
    }
  }
}

/**
 * Opens one SQLite file that holds both the thread checkpoints and the persona
 * store, on one connection with WAL and a busy timeout (the checkpointer sets
 * none of its own), so several processes can share the file. Every error names
 * the file (a PersistenceError; `badInput` for a missing file or directory, a
 * directory, or a file that is not a database).
 *
 * @param path the database file (created when missing, unless `readOnly`)
 * @param options busy timeout and read-only mode
 * @returns the checkpointer, the store and their connection
 * @throws PersistenceError naming the path
 * @example
 * const { checkpointer, store, close } = openSqlitePersistence("./persona.db");
 */
export function openSqlitePersistence(path: string, options: SqlitePersistenceOptions = {}): SqlitePersistence {
  const readOnly = options.readOnly ?? false;
  checkPath(path, readOnly);
  let db: Database.Database | undefined;
  let snapshot = false;
  try {
    if (readOnly) ({ db, snapshot } = openReadOnly(path));
    else db = new Database(path);
    const store = new SqliteStore(db, { busyTimeoutMs: options.busyTimeoutMs, readOnly, location: path });
    const checkpointer = new NamedSqliteSaver(db, path, readOnly);
    const connection = db;
    return {
      checkpointer,
      store,
      db,
      readOnly,
      snapshot,
      scrubDeleted: () => {
        if (readOnly) {
          throw new PersistenceError(`cannot scrub the SQLite database ${path}: it was opened read-only`, {
            location: path,
            badInput: false,
            code: "SQLITE_READONLY",
          });
        }
        return scrubSqliteFile(connection, path);
      },
      close: () => {
        if (connection.open) connection.close();
      },
    };
  } catch (error) {
    if (db?.open) db.close();
    throw sqliteError(path, "open", error);
  }
}
