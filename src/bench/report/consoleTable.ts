import { breachLines, MAIN_HEADER, mainRows, problemLines } from "./markdown.js";
import { MARK } from "./format.js";
import type { BenchSummary } from "./summarize.js";

function columns(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => [...row[i]].length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
}

/**
 * The console's view of a summary: the main table (the report's figures,
 * intervals and marks), what each mark means, and the roles over the failure
 * threshold. Printed from the summary data, not from the Markdown.
 *
 * @param summary - The run's summary.
 * @returns Lines to print.
 * @example
 * ```ts no-run
 * process.stdout.write(consoleTable(summary).join("\n") + "\n");
 * ```
 */
export function consoleTable(summary: BenchSummary): string[] {
  const header = MAIN_HEADER.map((h) => h.replace(" (0-10)", "").replace("persona similarity", "similarity").replace("win rate vs golden", "win rate"));
  const lines = columns([header, ...mainRows(summary)]);
  const problems = problemLines(summary);
  if (problems.length) lines.push("", `${MARK} failed calls or unreadable replies in the figure's inputs:`, ...problems.map((p) => `  ${p}`));
  const breaches = breachLines(summary);
  if (breaches.length) lines.push("", `over --max-failure-rate:`, ...breaches.map((b) => `  ${b}`));
  return lines;
}
