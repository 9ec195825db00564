import { writeFileSync } from "node:fs";
import { PersonaMemory } from "../memory/personaMemory.js";
import { exportPersona } from "../memory/export.js";
import type { CliCommand, CommandIO } from "./command.js";
import { reportUnreadableRows, withPersistence } from "./persistence.js";
import { requireUser } from "./settings.js";

export interface ExportOptions {
  user?: string;
  db?: string;
  out?: string;
}

/** `persona export`: persona, history, sessions with transcripts and learning log as one JSON document. */
export async function runExport(options: ExportOptions, io: CommandIO): Promise<void> {
  const userId = requireUser(options.user);
  await withPersistence(options.db, { readOnly: true }, async ({ store }) => {
    const memory = new PersonaMemory(store, userId);
    const text = `${JSON.stringify(await exportPersona(memory), null, 2)}\n`;
    reportUnreadableRows(memory, io);
    if (options.out) {
      writeFileSync(options.out, text, { mode: 0o600 });
      io.errors.write(`exported user "${userId}" to ${options.out}\n`);
    } else io.output.write(text);
  });
}

export const exportCommand: CliCommand = {
  name: "export",
  usage: "--user <id> [--db <path|postgres-url>] [--out <file>]",
  summary: "Export everything stored about a user (persona, history, sessions, threads, learning log, review, quarantine) as JSON.",
  flags: ["user", "db", "out"],
  run: (flags, io) =>
    runExport(
      { user: flags.text("user"), db: flags.text("db"), out: flags.text("out") },
      io,
    ),
};
