import { MARK } from "../../report/format.js";
import { prefEvalBreachLines, prefEvalMainHeader, prefEvalMainRows, prefEvalProblemLines } from "./markdown.js";
import type { PrefEvalSummary } from "./summarize.js";

function columns(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => [...row[i]].length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
}

/**
 * The console's view of a PrefEval summary: accuracy by condition and filler
 * count with intervals and marks, what the marks mean, and the roles over the
 * failure threshold. Printed from the summary data.
 *
 * @param summary - The run's summary.
 * @returns Lines to print.
 * @example
 * ```ts no-run
 * process.stdout.write(prefEvalConsoleTable(summary).join("\n") + "\n");
 * ```
 */
export function prefEvalConsoleTable(summary: PrefEvalSummary): string[] {
  const lines = ["accuracy (share of judged replies that follow the preference, 95% CI over items) by filler turns:", ...columns([prefEvalMainHeader(summary), ...prefEvalMainRows(summary)])];
  const stored = summary.conditions.find((c) => c.stored)?.stored;
  if (stored && stored.contains.mean !== null) {
    lines.push("", `persona: the learned persona records the preference in ${(stored.contains.mean * 100).toFixed(0)}% of items (${stored.crossTab.notStoredNotFollowed} learning failures, ${stored.crossTab.storedNotFollowed} following failures)`);
  }
  const problems = prefEvalProblemLines(summary);
  if (problems.length) lines.push("", `${MARK} failed calls, unreadable replies or missing runs in the figure's inputs:`, ...problems.map((p) => `  ${p}`));
  const breaches = prefEvalBreachLines(summary);
  if (breaches.length) lines.push("", "over --max-failure-rate:", ...breaches.map((b) => `  ${b}`));
  return lines;
}
