import { PersonaMemory } from "../memory/personaMemory.js";
import { formatDifferences, diffPersonas } from "../memory/diff.js";
import type { LearningOutcome, LearningRecord, PersonaVersion, RejectedChange } from "../memory/records.js";
import type { PersonaValues } from "../schema/fields.js";
import type { CliCommand, CommandIO } from "./command.js";
import { reportUnreadableRows, withPersistence } from "./persistence.js";
import { requireUser } from "./settings.js";

export interface HistoryOptions {
  user?: string;
  db?: string;
  json?: boolean;
}

/** Learning runs that stored no version because they were refused or failed; `history` lists them next to the versions. */
export const REJECTED_RUN_OUTCOMES: readonly LearningOutcome[] = ["all_rejected", "review_rejected", "malformed", "error"];

/** A learning run that changed nothing, with one line saying why. */
export type RejectedRun = LearningRecord & { reason: string };

/** What `persona history --json` prints. */
export interface HistoryReport {
  userId: string;
  /** Every stored version, oldest first. */
  versions: PersonaVersion[];
  /** Learning runs whose proposals were all rejected (guard or review) or that failed, oldest first. */
  rejectedRuns: RejectedRun[];
}

function rejectedLine(rejected: RejectedChange): string {
  const field = (rejected.change as { field?: unknown } | null)?.field;
  return typeof field === "string" ? `rejected ${field}: ${rejected.reason}` : `rejected: ${rejected.reason}`;
}

/** Why a run stored nothing, in one line. */
function runReason(run: LearningRecord): string {
  if (run.outcome === "error") return `failed: ${run.error ?? "no error message was recorded"}`;
  if (run.outcome === "malformed") return run.error ?? "the learner's reply held no usable update";
  const count = run.rejected.length;
  const by = run.outcome === "review_rejected" ? " in review" : "";
  return `${count} proposed change${count === 1 ? "" : "s"}, all rejected${by}`;
}

/**
 * The runs of a learning log that stored no version because every proposal
 * was rejected or the run failed, each with its reason.
 *
 * @param log the user's learning log (`PersonaMemory.learningLog()`)
 * @returns those runs, oldest first, with `reason`
 * @example rejectedRuns(await memory.learningLog()).map((run) => run.reason)
 */
export function rejectedRuns(log: LearningRecord[]): RejectedRun[] {
  return log.filter((run) => REJECTED_RUN_OUTCOMES.includes(run.outcome)).map((run) => ({ ...run, reason: runReason(run) }));
}

function formatVersion(version: PersonaVersion, previous: PersonaValues): string {
  const sessions = version.sessionIds.length ? `, sessions ${version.sessionIds.join(", ")}` : "";
  const lines = [`version ${version.version}  ${version.createdAt}  ${version.source}${sessions}${version.note ? `  (${version.note})` : ""}`];
  lines.push(formatDifferences(diffPersonas(previous, version.persona)).replace(/^/gm, "    "));
  for (const change of version.changes) {
    if (change.evidence) lines.push(`    evidence for ${change.field}: ${JSON.stringify(change.evidence)}`);
  }
  for (const rejected of version.rejected) lines.push(`    ${rejectedLine(rejected)}`);
  return lines.join("\n");
}

function formatRun(run: RejectedRun): string {
  const sessions = run.sessionIds.length ? `, sessions ${run.sessionIds.join(", ")}` : "";
  const lines = [`learning run  ${run.at}  ${run.outcome}${sessions}: ${run.reason} (no version stored)`];
  for (const rejected of run.rejected) lines.push(`    ${rejectedLine(rejected)}`);
  return lines.join("\n");
}

/**
 * `persona history`: every version of a user's persona, what changed, why and
 * from which sessions, and, in time order between them, the learning runs that
 * stored nothing because their proposals were all rejected or the run failed.
 */
export async function runHistory(options: HistoryOptions, io: CommandIO): Promise<void> {
  const userId = requireUser(options.user);
  await withPersistence(options.db, { readOnly: true }, async ({ store }) => {
    const memory = new PersonaMemory(store, userId);
    const report: HistoryReport = { userId, versions: await memory.history(), rejectedRuns: rejectedRuns(await memory.learningLog()) };
    reportUnreadableRows(memory, io);
    if (options.json) {
      io.output.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    if (report.versions.length === 0) io.output.write(`user "${userId}" has no persona versions yet\n`);
    const entries = [
      ...report.versions.map((version) => ({ at: version.createdAt, version })),
      ...report.rejectedRuns.map((run) => ({ at: run.at, run })),
    ].sort((a, b) => a.at.localeCompare(b.at));
    let previous: PersonaValues = {};
    for (const entry of entries) {
      if ("version" in entry) {
        io.output.write(`${formatVersion(entry.version, previous)}\n`);
        previous = entry.version.persona;
      } else io.output.write(`${formatRun(entry.run)}\n`);
    }
  });
}

export const historyCommand: CliCommand = {
  name: "history",
  usage: "--user <id> [--db <path|postgres-url>] [--json]",
  summary:
    "List every version of a user's persona with its changes, evidence and rejected proposals, and the learning runs that stored nothing (all proposals rejected, or failed) with the reason.",
  flags: ["user", "db"],
  booleanFlags: ["json"],
  run: (flags, io) =>
    runHistory({ user: flags.text("user"), db: flags.text("db"), json: flags.on("json") }, io),
};
