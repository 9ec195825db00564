import { PersonaMemory } from "../memory/personaMemory.js";
import { diagnosePersonaMemory, repairPersonaMemory } from "../memory/doctor.js";
import type { CliCommand, CommandIO } from "./command.js";
import { CommandFailedError } from "./errors.js";
import { withPersistence } from "./persistence.js";
import { requireUser } from "./settings.js";

export interface DoctorOptions {
  user?: string;
  db?: string;
  repair?: boolean;
}

/**
 * `persona doctor`: lists the user's stored rows that do not fit their schema;
 * with --repair moves them to quarantine (kept, never used), drops persona
 * values that do not fit, and rebuilds an unusable session ledger. Exits 1
 * when problems were found and not repaired.
 */
export async function runDoctor(options: DoctorOptions, io: CommandIO): Promise<void> {
  const userId = requireUser(options.user);
  await withPersistence(options.db, { mustExist: true }, async ({ store }) => {
    const memory = new PersonaMemory(store, userId);
    if (!options.repair) {
      const found = await diagnosePersonaMemory(memory);
      if (found.length === 0) {
        io.output.write(`user "${userId}": every stored row fits its schema\n`);
        return;
      }
      io.output.write(`user "${userId}": ${found.length} problem(s)\n${found.map((line) => `  ${line}\n`).join("")}`);
      throw new CommandFailedError(`${found.length} problem(s) found; run persona doctor --repair to quarantine them`);
    }
    const report = await repairPersonaMemory(memory);
    if (report.found.length === 0) {
      io.output.write(`user "${userId}": every stored row fits its schema; nothing to repair\n`);
      return;
    }
    io.output.write(`user "${userId}": ${report.found.length} problem(s)\n${report.found.map((line) => `  ${line}\n`).join("")}`);
    io.output.write(`repaired:\n${report.actions.map((line) => `  ${line}\n`).join("")}`);
    const left = await diagnosePersonaMemory(new PersonaMemory(store, userId));
    if (left.length > 0) throw new CommandFailedError(`${left.length} problem(s) remain after the repair: ${left[0]}`);
  });
}

export const doctorCommand: CliCommand = {
  name: "doctor",
  usage: "--user <id> [--repair] [--db <path|postgres-url>]",
  summary: "List a user's stored rows that do not fit their schema; --repair quarantines them.",
  flags: ["user", "db"],
  booleanFlags: ["repair"],
  run: (flags, io) => runDoctor({ user: flags.text("user"), db: flags.text("db"), repair: flags.on("repair") }, io),
};
