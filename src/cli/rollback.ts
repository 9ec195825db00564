import { PersonaMemory } from "../memory/personaMemory.js";
import { formatDifferences, diffPersonas } from "../memory/diff.js";
import { rollbackPersona, RollbackError } from "../learning/rollback.js";
import type { CliCommand, CommandIO } from "./command.js";
import { UsageError } from "./errors.js";
import { withPersistence } from "./persistence.js";
import { parseVersionNumber, requireUser } from "./settings.js";

export interface RollbackOptions {
  user?: string;
  db?: string;
  to?: string;
}

/** `persona rollback`: restores an earlier version as a new version. */
export async function runRollback(options: RollbackOptions, io: CommandIO): Promise<void> {
  const userId = requireUser(options.user);
  if (options.to === undefined) {
    throw new UsageError("--to <version> is required: a version number >= 0 (0 is the empty persona)");
  }
  const to = parseVersionNumber("--to", options.to)!;
  await withPersistence(options.db, { mustExist: true }, async ({ store }) => {
    const memory = new PersonaMemory(store, userId);
    const before = await memory.load();
    try {
      const version = await rollbackPersona(memory, to);
      io.output.write(`user "${userId}": version ${version.version} restores version ${to}\n`);
      io.output.write(`${formatDifferences(diffPersonas(before.persona, version.persona))}\n`);
    } catch (error) {
      if (error instanceof RollbackError) throw new UsageError(error.message);
      throw error;
    }
  });
}

export const rollbackCommand: CliCommand = {
  name: "rollback",
  usage: "--user <id> --to <version> [--db <path|postgres-url>]",
  summary: "Restore an earlier persona version; the rollback is recorded as a new version.",
  flags: ["user", "db", "to"],
  run: (flags, io) =>
    runRollback(
      { user: flags.text("user"), db: flags.text("db"), to: flags.text("to") },
      io,
    ),
};
