import { existsSync } from "node:fs";
import { openPersistence, type Persistence } from "../store/openPersistence.js";
import { isPostgresUrl } from "../store/postgresUrl.js";
import { UsageError } from "./errors.js";
import { describeRecordProblem, type PersonaMemory } from "../memory/personaMemory.js";
import type { CommandIO } from "./command.js";
import { resolveDbPath } from "./settings.js";

/** How a command opens the database. */
export interface CliPersistenceOptions {
  /** Commands that only read or change existing data: a mistyped path is an error instead of a new empty file. */
  mustExist?: boolean;
  /** Commands that only read (show, history, diff, export): nothing is written, a read-only file works. */
  readOnly?: boolean;
}

/**
 * Opens the database named by --db / PERSONA_DB. Errors name the path or URL
 * (PersistenceError; the CLI exits 2 when the location is wrong, 1 otherwise).
 */
export async function openCliPersistence(flag: string | undefined, options: CliPersistenceOptions = {}): Promise<Persistence> {
  const location = resolveDbPath(flag);
  if ((options.mustExist || options.readOnly) && !isPostgresUrl(location) && !existsSync(location)) {
    throw new UsageError(`no database at ${location} (pass --db or set PERSONA_DB)`);
  }
  return openPersistence(location, { readOnly: options.readOnly });
}

/** Runs `body` with the database open and always closes it. */
export async function withPersistence<T>(
  flag: string | undefined,
  options: CliPersistenceOptions,
  body: (persistence: Persistence) => Promise<T>,
): Promise<T> {
  const persistence = await openCliPersistence(flag, options);
  try {
    return await body(persistence);
  } finally {
    await persistence.close();
  }
}

/** Writes one line per stored row a command had to leave out (the reads report them in `memory.problems`). */
export function reportUnreadableRows(memory: PersonaMemory, io: Pick<CommandIO, "errors">): void {
  for (const problem of memory.problems) {
    io.errors.write(`persona: warning: left out ${describeRecordProblem(problem)} (persona doctor --user ${memory.userId} lists and repairs it)\n`);
  }
}
