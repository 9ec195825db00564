import { PersonaMemory } from "../memory/personaMemory.js";
import { forgetUser } from "../memory/erasure.js";
import type { CliCommand, CommandIO } from "./command.js";
import { UsageError } from "./errors.js";
import { rmSync } from "node:fs";
import { withPersistence } from "./persistence.js";
import { promptHistoryPath } from "./repl/promptHistory.js";
import { requireUser, resolveDbPath } from "./settings.js";

export interface ForgetOptions {
  user?: string;
  db?: string;
  yes?: boolean;
  /** Postgres: rewrite the affected tables (VACUUM FULL) instead of only marking the space reusable. */
  compact?: boolean;
}

/**
 * `persona forget`: erases the user's persona, history, sessions, transcripts,
 * learning log, the checkpoints of their threads and their chat prompt history
 * file, then scrubs the database
 * files (SQLite: WAL checkpoint + VACUUM; Postgres: VACUUM, or VACUUM FULL with
 * --compact) and prints exactly what that guarantees for the files.
 */
export async function runForget(options: ForgetOptions, io: CommandIO): Promise<void> {
  const userId = requireUser(options.user);
  if (!options.yes) throw new UsageError(`this erases everything stored about "${userId}"; add --yes to confirm`);
  await withPersistence(options.db, { mustExist: true }, async (persistence) => {
    const result = await forgetUser(new PersonaMemory(persistence.store, userId), persistence.checkpointer);
    io.errors.write(
      persistence.kind === "sqlite"
        ? "rebuilding the database file (VACUUM) so the deleted rows leave no trace in it...\n"
        : options.compact
          ? "rewriting the tables (VACUUM FULL; each table is locked while it runs)...\n"
          : "running VACUUM on the tables...\n",
    );
    const report = await persistence.scrubDeleted({ compact: options.compact });
    io.output.write(
      `forgot user "${userId}": ${result.deletedItems} stored items and ${result.deletedThreads.length} threads deleted\n${report.statement}\n`,
    );
    // The chat's prompt history holds the user's own words too: it goes with the rest.
    const historyFile = promptHistoryPath(resolveDbPath(options.db), userId);
    let historyDeleted = false;
    try {
      rmSync(historyFile);
      historyDeleted = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`could not delete the prompt history ${historyFile}: ${(error as Error).message}`);
    }
    if (historyDeleted) io.output.write(`deleted the prompt history ${historyFile}\n`);
    if (result.skippedThreads.length) {
      io.output.write(
        `left alone ${result.skippedThreads.length} thread(s) named by the user's sessions but not owned by them: ${result.skippedThreads.join(", ")}\n`,
      );
    }
  });
}

export const forgetCommand: CliCommand = {
  name: "forget",
  usage: "--user <id> --yes [--db <path|postgres-url>] [--compact]",
  summary: "Erase everything stored about a user, including their threads' checkpoints.",
  flags: ["user", "db"],
  booleanFlags: ["yes", "compact"],
  run: (flags, io) =>
    runForget({ user: flags.text("user"), db: flags.text("db"), yes: flags.on("yes"), compact: flags.on("compact") }, io),
};
