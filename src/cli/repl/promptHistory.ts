import { createHash } from "node:crypto";
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { isPostgresUrl } from "../../store/postgresUrl.js";

/** Entries kept in a history file (older ones are dropped when the file is read). */
export const PROMPT_HISTORY_SIZE = 1000;

/** A user id as a file name: reversible for ordinary ids, hashed when too long for a file system. */
function fileNameFor(userId: string): string {
  const encoded = encodeURIComponent(userId).replace(/\./g, "%2E").replace(/\*/g, "%2A");
  return encoded.length <= 200 ? encoded : `sha256-${createHash("sha256").update(userId).digest("hex")}`;
}

/**
 * Where `persona chat` keeps a user's prompt history. For a SQLite database,
 * beside it: `<db>.history/<user>`. For Postgres, on this machine:
 * `$XDG_STATE_HOME/persona/history/<host>_<port>_<database>[_<schema>]/<user>`
 * (XDG_STATE_HOME defaults to ~/.local/state). The user id is percent-encoded.
 *
 * @param db the resolved database (an absolute SQLite path or a postgres:// URL)
 * @param userId the user
 * @param env the environment (XDG_STATE_HOME, HOME)
 * @default env process.env
 * @returns the history file's path
 * @example promptHistoryPath("/data/persona.db", "alice") // "/data/persona.db.history/alice"
 */
export function promptHistoryPath(db: string, userId: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!isPostgresUrl(db)) return join(`${db}.history`, fileNameFor(userId));
  const url = new URL(db);
  // Never the credentials: only where the database is.
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || "postgres";
  // Another schema is another set of users' data: its own history.
  const schema = url.searchParams.get("schema");
  const place = [url.hostname || "localhost", url.port || "5432", database, ...(schema ? [schema] : [])].join("_").replace(/[^A-Za-z0-9._-]/g, "_");
  const stateHome = env.XDG_STATE_HOME?.trim() || join(env.HOME?.trim() || homedir(), ".local", "state");
  return join(stateHome, "persona", "history", place, fileNameFor(userId));
}

/**
 * Reads a history file: one JSON string per line, oldest first. Returns the
 * entries newest first (as readline wants them), each once, at most `limit`. Lines that
 * are not JSON strings are skipped; a missing file is an empty history.
 *
 * @param file the history file
 * @param limit most entries returned
 * @default limit PROMPT_HISTORY_SIZE
 * @returns entries, newest first
 * @example loadPromptHistory("/data/persona.db.history/alice") // ["last line", "the one before"]
 */
export function loadPromptHistory(file: string, limit = PROMPT_HISTORY_SIZE): string[] {
  if (!existsSync(file)) return [];
  const entries: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    try {
      const entry: unknown = JSON.parse(line);
      if (typeof entry === "string" && entry) entries.push(entry);
    } catch {
      // A line cut short by a crash: skip it.
    }
  }
  // Newest first, each entry once (at its newest place).
  const newestFirst = [...new Set(entries.reverse())].slice(0, limit);
  // Keep the file from growing without bound: rewrite it when it holds twice the limit.
  if (entries.length > 2 * limit) {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, [...newestFirst].reverse().map((entry) => `${JSON.stringify(entry)}\n`).join(""), { mode: 0o600 });
    renameSync(temporary, file);
  }
  return newestFirst;
}

/**
 * Appends one entry to a history file, creating the file (mode 0600: it holds
 * what the user typed) and its folder (0700) when needed.
 *
 * @param file the history file
 * @param entry the line the user entered
 * @returns nothing
 * @example appendPromptHistory("/data/persona.db.history/alice", "hello")
 */
export function appendPromptHistory(file: string, entry: string): void {
  const folder = dirname(file);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
  const created = !existsSync(file);
  appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  if (created) chmodSync(file, 0o600);
}
