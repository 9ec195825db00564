import { PersonaMemory } from "../memory/personaMemory.js";
import { formatDifferences, diffPersonas } from "../memory/diff.js";
import type { CliCommand, CommandIO } from "./command.js";
import { reportUnreadableRows, withPersistence } from "./persistence.js";
import { requireUser } from "./settings.js";

export interface HistoryOptions {
  user?: string;
  db?: string;
  json?: boolean;
}

/** `persona history`: every version of a user's persona, what changed, why and from which sessions. */
export async function runHistory(options: HistoryOptions, io: CommandIO): Promise<void> {
  const userId = requireUser(options.user);
  await withPersistence(options.db, { readOnly: true }, async ({ store }) => {
    const memory = new PersonaMemory(store, userId);
    const history = await memory.history();
    reportUnreadableRows(memory, io);
    if (options.json) {
      io.output.write(`${JSON.stringify(history, null, 2)}\n`);
      return;
    }
    if (history.length === 0) {
      io.output.write(`user "${userId}" has no persona versions yet\n`);
      return;
    }
    let previous = {};
    for (const version of history) {
      const sessions = version.sessionIds.length ? `, sessions ${version.sessionIds.join(", ")}` : "";
      io.output.write(`version ${version.version}  ${version.createdAt}  ${version.source}${sessions}${version.note ? `  (${version.note})` : ""}\n`);
      const diff = formatDifferences(diffPersonas(previous, version.persona));
      io.output.write(`${diff.replace(/^/gm, "    ")}\n`);
      for (const change of version.changes) {
        if (change.evidence) io.output.write(`    evidence for ${change.field}: ${JSON.stringify(change.evidence)}\n`);
      }
      for (const rejected of version.rejected) io.output.write(`    rejected: ${rejected.reason}\n`);
      previous = version.persona;
    }
  });
}

export const historyCommand: CliCommand = {
  name: "history",
  usage: "--user <id> [--db <path|postgres-url>] [--json]",
  summary: "List every version of a user's persona with its changes, evidence and rejected proposals.",
  flags: ["user", "db"],
  booleanFlags: ["json"],
  run: (flags, io) =>
    runHistory({ user: flags.text("user"), db: flags.text("db"), json: flags.on("json") }, io),
};
