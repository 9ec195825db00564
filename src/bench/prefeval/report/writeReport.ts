import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RenderedChart } from "../../report/renderCharts.js";
import { REPORT_FILES, writeChartFiles } from "../../report/writeReport.js";
import { placeKey, type PrefEvalItemResult, type PrefEvalRecord } from "../results.js";
import { prefEvalChartSpecs } from "./charts.js";
import { renderPrefEvalReport, type PrefEvalReportContext } from "./markdown.js";
import { summarizePrefEval, type PrefEvalScope, type PrefEvalSummary } from "./summarize.js";

/** The listing of what the persona stored for each item. */
export const STORED_PERSONAS_FILE = "stored-personas.md";

export interface WrittenPrefEvalReport {
  summary: PrefEvalSummary;
  markdown: string;
  files: string[];
  charts: RenderedChart[];
  chartError?: string;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

/** One row per persona-condition item in scope: the learned field values and the checks' answers. */
function storedPersonas(records: PrefEvalRecord[], scope: PrefEvalScope): string {
  const items = new Set(scope.items.map((i) => i.id));
  const fillers = new Set<number | null>(scope.fillers);
  const latest = new Map<string, PrefEvalItemResult>();
  for (const r of records) if (r.type === "prefeval-item" && r.condition === "persona" && items.has(r.itemId) && fillers.has(r.fillers)) latest.set(placeKey(r), r);
  const rows = [...latest.values()]
    .sort((a, b) => a.itemId.localeCompare(b.itemId, "en", { numeric: true }) || (a.fillers ?? 0) - (b.fillers ?? 0))
    .map((r) => {
      const values = Object.entries(r.persona).flatMap(([group, fields]) =>
        fields && typeof fields === "object" ? Object.entries(fields as Record<string, unknown>).map(([field, value]) => `${group}.${field}: ${typeof value === "string" ? value : JSON.stringify(value)}`) : [],
      );
      const stored = r.storedPreference?.status === "ok" ? r.storedPreference.value.answer : r.storedPreference?.status ?? "–";
      return `| ${r.itemId} | ${r.fillers} | ${r.learning?.outcome ?? "–"} | ${stored} | ${cell(values.join("; ") || "(empty)")} |`;
    });
  return [
    "# What the persona condition stored, per item",
    "",
    "Learned field values after session 1 (the persona the chatbot had for the question), the learning run's outcome and the judge's answer to \"does the persona record the preference\".",
    "",
    "| item | filler turns | learning | records the preference | learned values |",
    "|---|---:|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

/**
 * Writes summary.json, report.md, stored-personas.md and the charts
 * (`<name>.vl.json`, `.svg`, `.png`) of a PrefEval run into `outDir`. A chart
 * that cannot be rendered does not lose the report: the report says why.
 *
 * @param outDir - The output folder.
 * @param records - The results log's records.
 * @param options - Scope, failure threshold and report context.
 * @returns The summary and the files written.
 * @example
 * ```ts no-run
 * await writePrefEvalReport(outDir, log.records, { scope, maxFailureRate: 0.05, context });
 * ```
 */
export async function writePrefEvalReport(
  outDir: string,
  records: PrefEvalRecord[],
  options: { scope: PrefEvalScope; maxFailureRate?: number; context: Omit<PrefEvalReportContext, "charts" | "chartError"> },
): Promise<WrittenPrefEvalReport> {
  const summary = summarizePrefEval(records, options.scope, { maxFailureRate: options.maxFailureRate });
  const files: string[] = [];
  const write = (name: string, data: string) => {
    writeFileSync(join(outDir, name), data);
    files.push(name);
  };
  const { charts, chartIndex, chartError } = await writeChartFiles(outDir, prefEvalChartSpecs(summary), write, files);
  const markdown = renderPrefEvalReport(summary, { ...options.context, charts: chartIndex, ...(chartError ? { chartError } : {}) });
  write(REPORT_FILES.report, markdown);
  if (options.scope.conditions.includes("persona")) write(STORED_PERSONAS_FILE, storedPersonas(records, options.scope));
  write(REPORT_FILES.summary, `${JSON.stringify({ ...summary, context: options.context, ...(chartError ? { chartError } : {}) }, null, 2)}\n`);
  return { summary, markdown, files, charts, ...(chartError ? { chartError } : {}) };
}
