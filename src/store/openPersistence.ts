import type { BaseCheckpointSaver, BaseStore } from "@langchain/langgraph";
import { MissingPostgresPackagesError } from "./errors.js";
import { isPostgresUrl, redactPostgresUrl } from "./postgresUrl.js";
import type { ScrubOptions, ScrubReport } from "./scrubReport.js";
import { openSqlitePersistence } from "./sqlitePersistence.js";

/**
 * Checkpoints and persona memory in one place, whichever database it is.
 *
 * @example
 * const persistence = await openPersistence(process.env.PERSONA_DB ?? "./persona.db");
 * try {
 *   const graph = builder.compile({ checkpointer: persistence.checkpointer, store: persistence.store });
 * } finally {
 *   await persistence.close();
 * }
 */
export interface Persistence {
  kind: "sqlite" | "postgres";
  /** The SQLite file path, or the Postgres URL without its password. */
  location: string;
  /** True when opened with `readOnly`: every write throws a PersistenceError. */
  readOnly: boolean;
  checkpointer: BaseCheckpointSaver;
  store: BaseStore;
  /**
   * After rows were deleted: makes them unrecoverable from the database files
   * as far as the database allows, and says exactly what is guaranteed
   * (SQLite: VACUUM and WAL truncated; Postgres: VACUUM, or VACUUM FULL with
   * `compact`).
   */
  scrubDeleted(options?: ScrubOptions): Promise<ScrubReport>;
  close(): Promise<void>;
}

/**
 * Options of {@link openPersistence}.
 *
 * @example
 * await openPersistence("./persona.db", { readOnly: true });
 */
export interface OpenPersistenceOptions {
  /**
   * Open without writing anything (SQLite: no pragma that writes, no table
   * created, works on a read-only file or directory; Postgres: no setup, and
   * every transaction read-only). Writes then throw.
   * @default false
   */
  readOnly?: boolean;
}

/** Loads the Postgres modules on demand: their packages are optional. */
async function loadPostgres(location: string): Promise<typeof import("./postgresPersistence.js")> {
  try {
    return await import("./postgresPersistence.js");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") throw new MissingPostgresPackagesError(location);
    throw error;
  }
}

/**
 * Opens persistence from one setting: a `postgres://` (or `postgresql://`) URL
 * selects Postgres (optional `?schema=name`), anything else is a SQLite file
 * path. Every database error is a PersistenceError naming the path or URL.
 *
 * @param location a SQLite path or a postgres:// URL
 * @param options read-only mode
 * @returns the checkpointer and store, with scrub and close
 * @throws PersistenceError naming the location (`badInput` when the location itself is wrong)
 * @example
 * const persistence = await openPersistence("postgres://app@127.0.0.1/persona?schema=persona", { readOnly: true });
 */
export async function openPersistence(location: string, options: OpenPersistenceOptions = {}): Promise<Persistence> {
  const readOnly = options.readOnly ?? false;
  if (isPostgresUrl(location)) {
    const redacted = redactPostgresUrl(location);
    const { openPostgresPersistence } = await loadPostgres(redacted);
    const postgres = await openPostgresPersistence(location, { readOnly });
    return {
      kind: "postgres",
      location: redacted,
      readOnly,
      checkpointer: postgres.checkpointer,
      store: postgres.store,
      scrubDeleted: (scrub) => postgres.scrubDeleted(scrub),
      close: () => postgres.close(),
    };
  }
  const sqlite = openSqlitePersistence(location, { readOnly });
  return {
    kind: "sqlite",
    location,
    readOnly,
    checkpointer: sqlite.checkpointer,
    store: sqlite.store,
    scrubDeleted: async () => sqlite.scrubDeleted(),
    close: async () => sqlite.close(),
  };
}
