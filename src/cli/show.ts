import { PersonaMemory } from "../memory/personaMemory.js";
import type { CliCommand, CommandIO } from "./command.js";
import { reportUnreadableRows, withPersistence } from "./persistence.js";
import { requireUser } from "./settings.js";

export interface ShowOptions {
  user?: string;
  db?: string;
}

/** `persona show`: the stored persona of one user as JSON, with its version. */
export async function runShow(options: ShowOptions, io: Pick<CommandIO, "output" | "errors">): Promise<void> {
  const userId = requireUser(options.user);
  await withPersistence(options.db, { readOnly: true }, async ({ store }) => {
    const memory = new PersonaMemory(store, userId);
    const document = await memory.load();
    io.output.write(`${JSON.stringify(document, null, 2)}\n`);
    reportUnreadableRows(memory, io);
  });
}

export const showCommand: CliCommand = {
  name: "show",
  usage: "--user <id> [--db <path|postgres-url>]",
  summary: "Print the stored persona of a user as JSON, with its version.",
  flags: ["user", "db"],
  run: (flags, io) => runShow({ user: flags.text("user"), db: flags.text("db") }, io),
};
