import { PersonaMemory } from "../memory/personaMemory.js";
import { openSqlitePersistence } from "../store/sqlitePersistence.js";
import { existsSync } from "node:fs";
import type { CliCommand } from "./command.js";
import { UsageError } from "./errors.js";
import { requireUser, resolveDbPath } from "./settings.js";

export interface ShowOptions {
  user?: string;
  db?: string;
}

/** `persona show`: the stored persona of one user as JSON, with its version. */
export async function runShow(options: ShowOptions, out: NodeJS.WritableStream): Promise<void> {
  const userId = requireUser(options.user);
  const path = resolveDbPath(options.db);
  if (!existsSync(path)) throw new UsageError(`no database at ${path} (pass --db or set PERSONA_DB)`);
  const persistence = openSqlitePersistence(path);
  try {
    const document = await new PersonaMemory(persistence.store, userId).load();
    out.write(`${JSON.stringify(document, null, 2)}\n`);
  } finally {
    persistence.close();
  }
}

export const showCommand: CliCommand = {
  name: "show",
  usage: "--user <id> [--db <path>]",
  summary: "Print the stored persona of a user as JSON, with its version.",
  flags: ["user", "db"],
  run: (values, io) => runShow({ user: values.user as string | undefined, db: values.db as string | undefined }, io.output),
};
