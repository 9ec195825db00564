import type { BenchRole } from "../../cost.js";
import type { RoleModelInfo } from "../../models.js";
import { costTable, formatDifference, formatInterval, MARK, markdownTable, modelTable, percent, thousands } from "../../report/format.js";
import type { Interval } from "../../stats/bootstrap.js";
import { describePrefEvalCondition, type PrefEvalCondition } from "../conditions.js";
import type { PrefEvalForm } from "../data/types.js";
import { PREFEVAL_ERROR_TYPES } from "../judge/checks.js";
import { cellAt, PREFEVAL_ROLES, type PrefEvalConditionSummary, type PrefEvalSummary } from "./summarize.js";

/** What the report says about the run besides the figures. */
export interface PrefEvalReportContext {
  data: string;
  /** Items per `<form>/<topic>` in the scope. */
  itemsByGroup: Record<string, number>;
  models: Partial<Record<BenchRole, RoleModelInfo>>;
  semanticGuard: boolean;
  goldenField: string;
  dataWarnings: number;
  dataErrors: number;
  /** Chart file names by chart, with the reason when a chart has no data. */
  charts: Record<string, { png: string; spec: string; noData?: string }>;
  chartError?: string;
}

const pct = (interval: Interval | undefined) => formatInterval(interval, 0, true);
const fillerHeader = (summary: PrefEvalSummary) => summary.scope.fillers.map((f) => `F = ${f}`);

/** The accuracy cell of a condition at a filler count (its only value when it does not play session 1), marked when its inputs had problems. */
function accuracyAt(summary: PrefEvalSummary, c: PrefEvalConditionSummary, fillers: number | "all", form: PrefEvalForm | "all" = "all", topic = "all"): string {
  const cell = cellAt(summary, { condition: c.condition, form, topic, fillers: c.usesFillers || fillers === "all" ? fillers : null });
  return cell ? pct(cell.accuracy) : "–";
}

/** The main table's rows (accuracy by condition and filler count), shared by the report and the console. */
export function prefEvalMainRows(summary: PrefEvalSummary): string[][] {
  return summary.conditions.map((c) => {
    const mark = (text: string) => (c.problems.length ? `${text}${MARK}` : text);
    return [
      c.condition,
      `${c.recorded}/${c.planned}`,
      String(c.judged),
      ...summary.scope.fillers.map((f) => mark(accuracyAt(summary, c, f))),
      mark(pct(c.accuracy)),
    ];
  });
}

export const prefEvalMainHeader = (summary: PrefEvalSummary) => ["condition", "runs", "judged", ...fillerHeader(summary), "all"];

/** One line per condition whose figures are marked: what went wrong in their inputs. */
export function prefEvalProblemLines(summary: PrefEvalSummary): string[] {
  return summary.conditions.filter((c) => c.problems.length).map((c) => `${c.condition}${MARK}: ${c.problems.join("; ")}`);
}

/** One line per role and condition over the threshold. */
export function prefEvalBreachLines(summary: PrefEvalSummary): string[] {
  return summary.breaches.map(
    (b) =>
      `${b.condition}: ${b.role} ${b.kind} rate ${percent(b.rate)} (${b.count} of ${b.of} ${b.kind === "failure" ? "calls" : "replies"}) is above ${percent(summary.maxFailureRate)}`,
  );
}

function roleCell(c: PrefEvalConditionSummary, role: BenchRole): string {
  const h = c.roles[role];
  if (!h.calls && !h.outcomes) return "–";
  const parts = [`${thousands(h.calls)} calls`, `${h.failed} failed${h.failed ? ` (${percent(h.failureRate)})` : ""}`];
  if (h.outcomes) parts.push(`${h.unreadable} of ${thousands(h.outcomes)} unreadable${h.unreadable ? ` (${percent(h.unreadableRate)})` : ""}`);
  return parts.join(", ");
}

/**
 * The PrefEval report in Markdown: settings, accuracy by condition and filler
 * count, error types, breakdowns by form and topic, differences, the persona
 * condition's learning and stored-preference check, health per role, cost.
 *
 * @param summary - The summary.
 * @param context - Settings and chart files.
 * @returns The report.
 * @example
 * ```ts no-run
 * writeFileSync("report.md", renderPrefEvalReport(summary, context));
 * ```
 */
export function renderPrefEvalReport(summary: PrefEvalSummary, context: PrefEvalReportContext): string {
  const lines: string[] = ["# PrefEval evaluation", ""];
  const groups = Object.entries(context.itemsByGroup);
  lines.push(
    `Data: \`${context.data}\` — ${summary.scope.items} items (${groups.map(([g, n]) => `${g}: ${n}`).join(", ")}). ` +
      `Filler turns: ${summary.scope.fillers.join(", ")}. Semantic guard: ${context.semanticGuard ? "on" : "off"}.`,
    "",
    ...modelTable(PREFEVAL_ROLES, context.models),
    "",
    "## Accuracy by condition and filler turns",
    "",
    ...markdownTable(prefEvalMainHeader(summary), prefEvalMainRows(summary)),
    "",
    `A reply follows the preference when the judge finds it helpful and not violating the preference (PrefEval's definition). ` +
      `Accuracy: share of judged replies that follow it, a mean over items with its ${summary.bootstrap.level * 100} % bootstrap interval ` +
      `(${summary.bootstrap.resamples} resamples of the items, seed ${summary.bootstrap.seed}); "all" is the mean over items of each item's mean over the filler counts. ` +
      "Runs: recorded / planned. `none` and `golden` never play session 1, so one run per item stands for every filler count.",
  );
  const problems = prefEvalProblemLines(summary);
  if (problems.length) lines.push("", `**Marked figures (${MARK})** had failed calls, unreadable replies or missing runs in their inputs:`, "", ...problems.map((p) => `- ${p}`));
  const breaches = prefEvalBreachLines(summary);
  lines.push(
    "",
    breaches.length
      ? `**Over the failure threshold (${percent(summary.maxFailureRate)}, \`--max-failure-rate\`):**`
      : `No role's failure or unreadable rate is above ${percent(summary.maxFailureRate)} (\`--max-failure-rate\`).`,
    ...(breaches.length ? ["", ...breaches.map((b) => `- ${b}`)] : []),
  );

  const chart = (name: string, alt: string) => {
    const entry = context.charts[name];
    if (!entry) return context.chartError ? [`(chart not rendered: ${context.chartError})`, ""] : [];
    return ["", `![${alt}](${entry.png})`, "", `Vega-Lite spec: \`${entry.spec}\`${entry.noData ? ` — no data: ${entry.noData}` : ""}.`, ""];
  };
  lines.push(...chart("accuracy-by-fillers", "accuracy by filler turns"));

  lines.push("", "## Error types", "", ...chart("error-types", "outcomes by condition"));
  const errorRows = summary.conditions.flatMap((c) =>
    (c.usesFillers ? summary.scope.fillers : [null]).map((f) => {
      const cell = cellAt(summary, { condition: c.condition, form: "all", topic: "all", fillers: f });
      const n = cell?.judged ?? 0;
      const share = (k: number) => (n ? `${k} (${percent(k / n)})` : "–");
      return [
        c.condition,
        f === null ? "any" : String(f),
        String(n),
        ...PREFEVAL_ERROR_TYPES.map((e) => share(cell?.errors[e] ?? 0)),
        String(cell?.unreadable ?? 0),
        String(cell?.judgeFailed ?? 0),
      ];
    }),
  );
  lines.push(
    ...markdownTable(["condition", "filler turns", "judged", ...PREFEVAL_ERROR_TYPES, "left out (unreadable)", "no verdict (judge failed)"], errorRows),
    "",
    "unhelpful: the reply does not really answer (declines, only asks back, says it cannot remember). For helpful replies that violate the preference: " +
      "inconsistent (it acknowledges the preference, restated correctly, and violates it anyway), hallucinated-violation (it acknowledges a preference the user does not have), " +
      "unaware-violation (it never acknowledges one).",
  );

  const breakdown = (title: string, keys: string[], pick: (c: PrefEvalConditionSummary, key: string, f: number | "all") => string) => {
    const rows = summary.conditions.flatMap((c) => keys.map((key) => [c.condition, key, ...summary.scope.fillers.map((f) => pick(c, key, f)), pick(c, key, "all")]));
    const align = ["---", "---", ...summary.scope.fillers.map(() => "---:"), "---:"];
    lines.push("", `## Accuracy by ${title}`, "", ...markdownTable(["condition", title, ...fillerHeader(summary), "all"], rows, align));
  };
  breakdown("form", summary.scope.forms, (c, form, f) => accuracyAt(summary, c, f, form as PrefEvalForm));
  breakdown("topic", summary.scope.topics, (c, topic, f) => accuracyAt(summary, c, f, "all", topic));

  const withNone = summary.conditions.filter((c) => c.vsNone);
  if (withNone.length) {
    const header = ["condition", ...fillerHeader(summary)];
    const at = (d: Record<string, Interval>, c: PrefEvalConditionSummary, f: number) => formatDifference(d[c.usesFillers ? String(f) : "null"], 0, true);
    lines.push("", "## Difference to none (paired by item, 95 % interval)", "", ...markdownTable(header, withNone.map((c) => [c.condition, ...summary.scope.fillers.map((f) => at(c.vsNone!, c, f))])));
    const persona = summary.conditions.find((c) => c.vsInContext);
    if (persona) {
      lines.push("", "persona − in-context (paired by item): " + summary.scope.fillers.map((f) => `F = ${f}: ${formatDifference(persona.vsInContext![String(f)], 0, true)}`).join("; ") + ".");
    }
  }

  const persona = summary.conditions.find((c) => c.condition === "persona");
  if (persona?.stored || persona?.learning) {
    lines.push("", "## persona: learning and following", "");
    if (persona.stored) {
      const s = persona.stored;
      lines.push(
        ...chart("stored-preference", "stored preference by filler turns"),
        ...markdownTable(
          ["", ...fillerHeader(summary), "all"],
          [
            ["learned persona records the preference", ...summary.scope.fillers.map((f) => pct(s.byFillers[String(f)])), pct(s.contains)],
            ...summary.scope.forms.map((form) => [`— ${form} form (all filler counts)`, ...summary.scope.fillers.map(() => ""), pct(s.byForm[form])]),
          ],
        ),
        "",
        `A judge read each stored persona and said whether it records the item's preference (${s.judged} verdicts; ${s.empty} personas were empty, counted as not recording it without a call; ` +
          `${s.unreadable} unreadable and ${s.failed} failed verdicts left out).`,
        "",
        ...markdownTable(
          ["", "reply follows", "reply does not follow"],
          [
            ["persona records the preference", String(s.crossTab.storedAndFollowed), `${s.crossTab.storedNotFollowed} (following failures)`],
            ["persona does not record it", String(s.crossTab.notStoredFollowed), `${s.crossTab.notStoredNotFollowed} (learning failures)`],
          ],
          ["---", "---:", "---:"],
        ),
      );
    }
    if (persona.learning) {
      const l = persona.learning;
      lines.push(
        "",
        ...markdownTable(
          ["runs", "applied", "no changes", "all rejected", "unreadable", "failed (item retried)", "changes applied"],
          [[l.runs, l.applied, l.noChanges, l.allRejected, l.malformed, l.failedRuns, l.changesApplied].map(String)],
        ),
        "",
        context.semanticGuard
          ? `Semantic guard: ${l.guard.runs} runs, ${l.guard.calls} calls (counted as learner calls), ${l.guard.accepted} changes accepted, ${l.guard.rejected} rejected, ${l.guard.unreadable} unreadable verdicts, ${l.guard.errors} failed calls.`
          : "Semantic guard: off for this run.",
      );
      const reasons = Object.entries(l.rejectedByReason).sort((a, b) => b[1] - a[1]);
      if (reasons.length) lines.push("", "Rejected changes by reason:", "", ...reasons.map(([reason, n]) => `- ${n} × ${reason}`));
    }
    lines.push("", "The learned values of every item are listed in `stored-personas.md`.");
  }

  lines.push(
    "",
    "## Failures and unreadable replies per role",
    "",
    ...markdownTable(["condition", ...PREFEVAL_ROLES], summary.conditions.map((c) => [c.condition, ...PREFEVAL_ROLES.map((role) => roleCell(c, role))])),
    "",
    "Failed: calls that ended in an error after the client's retries. Unreadable: empty chatbot replies, learner runs without an `update_persona` call, judge verdicts that could not be read after one retry.",
  );
  const failureLines = summary.conditions.flatMap((c) =>
    c.failures.length
      ? [`- ${c.condition}: ${c.failures.length} item runs failed: ${c.failures.slice(0, 5).map((f) => `${f.itemId}${f.fillers !== null ? ` (F = ${f.fillers})` : ""} at ${f.stage}${f.role ? ` (${f.role})` : ""}: ${f.error}`).join("; ")}${c.failures.length > 5 ? "; …" : ""} (rerun to retry)`]
      : [],
  );
  if (failureLines.length) lines.push("", ...failureLines);

  lines.push(
    "",
    "## Cost",
    "",
    ...costTable(PREFEVAL_ROLES, summary.conditions, "item wall time"),
  );
  if (context.dataWarnings || context.dataErrors) {
    lines.push("", `Data: ${context.dataErrors} errors (unusable items or files), ${context.dataWarnings} warnings, listed in data-problems.txt.`);
  }

  lines.push(
    "",
    "## Conditions",
    "",
    ...summary.scope.conditions.map((c: PrefEvalCondition) => `- \`${c}\`: ${describePrefEvalCondition(c)}`),
    "",
    `Session 1 replays the item's recorded exchanges (implicit forms) and the first F exchanges of the filler conversations through the persona graph without a model call, so they are recorded as turns of the session; the explicit statement is answered by the chatbot. ` +
      `The golden condition stores the preference as \`${context.goldenField}\`.`,
  );
  return `${lines.join("\n")}\n`;
}
