import { PersonaMemory } from "../memory/personaMemory.js";
import { forgetUser } from "../memory/erasure.js";
import type { CliCommand, CommandIO } from "./command.js";
import { UsageError } from "./errors.js";
import { withPersistence } from "./persistence.js";
import { requireUser } from "./settings.js";

export interface ForgetOptions {
  user?: string;
  db?: string;
  yes?: boolean;
}

/**
 * `persona forget`: erases the user's persona, history, sessions, transcripts,
 * learning log and the checkpoints of their threads, then scrubs the database
 * files (SQLite: WAL checkpoint + VACUUM; Postgres: VACUUM).
 */
export async function runForget(options: ForgetOptions, io: CommandIO): Promise<void> {
  const userId = requireUser(options.user);
  if (!options.yes) throw new UsageError(`this erases everything stored about "${userId}"; add --yes to confirm`);
  await withPersistence(options.db, { mustExist: true }, async (persistence) => {
    const result = await forgetUser(new PersonaMemory(persistence.store, userId), persistence.checkpointer);
    io.errors.write("scrubbing deleted data from the database files...\n");
    await persistence.scrubDeleted();
    io.output.write(
      `forgot user "${userId}": ${result.deletedItems} stored items and ${result.deletedThreads.length} threads deleted\n`,
    );
    if (result.skippedThreads.length) {
      io.output.write(
        `left alone ${result.skippedThreads.length} thread(s) named by the user's sessions but not owned by them: ${result.skippedThreads.join(", ")}\n`,
      );
    }
  });
}

export const forgetCommand: CliCommand = {
  name: "forget",
  usage: "--user <id> --yes [--db <path|postgres-url>]",
  summary: "Erase everything stored about a user, including their threads' checkpoints.",
  flags: ["user", "db"],
  booleanFlags: ["yes"],
  run: (flags, io) =>
    runForget({ user: flags.text("user"), db: flags.text("db"), yes: flags.on("yes") }, io),
};
