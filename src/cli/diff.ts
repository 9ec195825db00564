import { PersonaMemory } from "../memory/personaMemory.js";
import { diffPersonas, formatDifferences } from "../memory/diff.js";
import type { PersonaValues } from "../schema/fields.js";
import type { CliCommand, CommandIO } from "./command.js";
import { UsageError } from "./errors.js";
import { withPersistence } from "./persistence.js";
import { parseVersionNumber, requireUser } from "./settings.js";

export interface DiffOptions {
  user?: string;
  db?: string;
  from?: string;
  to?: string;
  json?: boolean;
}

function parseVersion(name: string, value: string | undefined): number {
  if (value === undefined) throw new UsageError(`${name} <version> is required (0 is the empty persona; see persona history)`);
  return parseVersionNumber(name, value)!;
}

async function personaAt(memory: PersonaMemory, version: number): Promise<PersonaValues> {
  if (version === 0) return {};
  const found = await memory.getVersion(version);
  if (!found) throw new UsageError(`user "${memory.userId}" has no version ${version} (see persona history)`);
  return found.persona;
}

/** `persona diff`: field-level differences between two versions (default --to: the current one). */
export async function runDiff(options: DiffOptions, io: CommandIO): Promise<void> {
  const userId = requireUser(options.user);
  const from = parseVersion("--from", options.from);
  // Checked before the database opens, so a bad --to is a usage error even where there is no database.
  const givenTo = parseVersionNumber("--to", options.to);
  await withPersistence(options.db, { readOnly: true }, async ({ store }) => {
    const memory = new PersonaMemory(store, userId);
    const to = givenTo ?? (await memory.load()).version;
    const differences = diffPersonas(await personaAt(memory, from), await personaAt(memory, to));
    io.output.write(
      options.json ? `${JSON.stringify({ from, to, differences }, null, 2)}\n` : `${formatDifferences(differences)}\n`,
    );
  });
}

export const diffCommand: CliCommand = {
  name: "diff",
  usage: "--user <id> --from <version> [--to <version>] [--db <path|postgres-url>] [--json]",
  summary: "Show what changed in a user's persona between two versions (0 = empty; --to defaults to current).",
  flags: ["user", "db", "from", "to"],
  booleanFlags: ["json"],
  run: (flags, io) =>
    runDiff(
      {
        user: flags.text("user"),
        db: flags.text("db"),
        from: flags.text("from"),
        to: flags.text("to"),
        json: flags.on("json"),
      },
      io,
    ),
};
