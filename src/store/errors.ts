/**
 * Errors of the store layer. Every database error that leaves this layer is a
 * PersistenceError naming the SQLite path or the Postgres URL (password
 * hidden), with `badInput` telling a wrong location apart from a failure.
 */

/**
 * A database could not be opened or used. `badInput` is true when the location
 * itself is wrong (missing file or directory, a directory, not a database, an
 * unparsable URL, an unknown Postgres database, rejected credentials): the
 * caller should fix the location. Otherwise the database exists but the
 * operation failed (connection refused, locked, read-only, disk error).
 *
 * @example
 * try {
 *   await openPersistence("./missing.db", { readOnly: true });
 * } catch (error) {
 *   if (error instanceof PersistenceError && error.badInput) console.error(error.message);
 * }
 */
export class PersistenceError extends Error {
  /** The SQLite path or the Postgres URL without its password. */
  readonly location: string;
  /** True when the location is wrong, false when an operation on a usable location failed. */
  readonly badInput: boolean;
  /** The driver's error code (e.g. SQLITE_NOTADB, ECONNREFUSED, 3D000), when there is one. */
  readonly code: string | undefined;

  /**
   * @param message the whole message, naming the location
   * @param details where, whether it is bad input, the driver code and the original error
   */
  constructor(message: string, details: { location: string; badInput: boolean; code?: string; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "PersistenceError";
    this.location = details.location;
    this.badInput = details.badInput;
    this.code = details.code;
  }
}

/**
 * Postgres needs packages that are optional dependencies of this one.
 *
 * @example
 * throw new MissingPostgresPackagesError("postgres://app@db/persona");
 */
export class MissingPostgresPackagesError extends PersistenceError {
  /** @param location the Postgres URL without its password */
  constructor(location: string) {
    super(
      `Postgres (${location}) needs two optional packages: npm install pg @langchain/langgraph-checkpoint-postgres`,
      { location, badInput: false, code: "MODULE_NOT_FOUND" },
    );
    this.name = "MissingPostgresPackagesError";
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function errorMessage(error: unknown): string {
  // Duck-typed: errors from another realm (a native addon, a vm context) fail `instanceof Error`.
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(error);
}

/**
 * True for an error a database driver raised (it carries a string `code`),
 * as opposed to a mistake in the call (TypeError) or an error already wrapped.
 *
 * @param error anything thrown
 * @returns whether to wrap it in a PersistenceError
 * @example
 * if (isDriverError(error)) throw sqliteError(path, "read", error);
 */
export function isDriverError(error: unknown): boolean {
  if (error instanceof PersistenceError || error instanceof TypeError) return false;
  if (typeof error !== "object" || error === null) return false;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (name === "TypeError") return false;
  return typeof code === "string" || Array.isArray((error as { errors?: unknown }).errors);
}

/** SQLite result codes that say the file is not a usable database as given. */
const SQLITE_BAD_INPUT = new Set(["SQLITE_NOTADB", "SQLITE_CANTOPEN", "SQLITE_IOERR_READ", "SQLITE_READONLY_DIRECTORY"]);

/**
 * Wraps an error of better-sqlite3 (or of the file system around it) into a
 * PersistenceError naming the file. PersistenceErrors pass through unchanged.
 *
 * @param path the SQLite file
 * @param action what was being done, e.g. "open" or "read"
 * @param error the original error
 * @returns the error to throw
 * @example
 * throw sqliteError("./persona.db", "open", error);
 */
export function sqliteError(path: string, action: string, error: unknown): PersistenceError {
  if (error instanceof PersistenceError) return error;
  const code = errorCode(error);
  const message = errorMessage(error);
  let hint = "";
  let badInput = code !== undefined && SQLITE_BAD_INPUT.has(code);
  if (code === "SQLITE_NOTADB") hint = " (pass the path of a persona database with --db or PERSONA_DB)";
  else if (code === "SQLITE_CORRUPT") hint = " (the file is damaged; restore it from a backup)";
  else if (code === "SQLITE_BUSY") hint = " (another process holds a lock on it; try again)";
  else if (code?.startsWith("SQLITE_READONLY")) hint = " (the file or its directory is read-only for this user)";
  else if (code === "EACCES" || code === "EPERM") {
    hint = " (permission denied)";
    badInput = true;
  } else if (code === "EISDIR" || code === "ENOENT" || code === "ENOTDIR") badInput = true;
  return new PersistenceError(`cannot ${action} the SQLite database ${path}: ${message}${hint}`, {
    location: path,
    badInput,
    code,
    cause: error,
  });
}

/** Postgres error codes and connection errors that say the URL is wrong. */
const POSTGRES_BAD_INPUT = new Set([
  "3D000", // database does not exist
  "28000", // invalid authorization specification
  "28P01", // invalid password
  "3F000", // schema does not exist
  "ENOTFOUND", // no such host
  "ERR_INVALID_URL",
]);

/**
 * Wraps an error of pg into a PersistenceError naming the server (password
 * hidden). PersistenceErrors pass through unchanged.
 *
 * @param location the Postgres URL without its password
 * @param action what was being done, e.g. "connect to" or "read from"
 * @param error the original error
 * @returns the error to throw
 * @example
 * throw postgresError("postgres://app@db/persona", "connect to", error);
 */
export function postgresError(location: string, action: string, error: unknown): PersistenceError {
  if (error instanceof PersistenceError) return error;
  const code = errorCode(error);
  let message = errorMessage(error);
  // AggregateError (IPv4 + IPv6 both refused) has an empty message.
  const inner = (error as { errors?: unknown } | null)?.errors;
  if (!message && Array.isArray(inner)) message = inner.map(errorMessage).join("; ");
  if (!message) message = code ?? "unknown error";
  return new PersistenceError(`cannot ${action} Postgres at ${location}: ${message}`, {
    location,
    badInput: code !== undefined && POSTGRES_BAD_INPUT.has(code),
    code,
    cause: error,
  });
}
