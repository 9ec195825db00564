import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { firstLine } from "../cost.js";
import type { BenchRecord } from "../results.js";
import { chartSpecs, type ChartSpec } from "./charts.js";
import { renderMarkdownReport, type ReportContext } from "./markdown.js";
import { renderCharts, type RenderedChart } from "./renderCharts.js";
import { summarize, type BenchSummary, type ReportScope } from "./summarize.js";

export const REPORT_FILES = { summary: "summary.json", report: "report.md" };

export interface WrittenReport {
  summary: BenchSummary;
  markdown: string;
  /** Files written, relative to the output folder. */
  files: string[];
  charts: RenderedChart[];
  /** Why the charts could not be rendered, when they could not (the report says so too). */
  chartError?: string;
}

export interface WriteReportOptions {
  conditions: string[];
  turnCap: number;
  scope?: ReportScope;
  maxFailureRate?: number;
  context: Omit<ReportContext, "charts" | "chartError">;
}

/** What {@link writeChartFiles} wrote: the rendered charts and the index the report links to, or why rendering failed. */
export interface WrittenCharts {
  charts: RenderedChart[];
  chartIndex: Record<string, { png: string; spec: string; noData?: string }>;
  chartError?: string;
}

/**
 * Writes each chart's spec (`<name>.vl.json`) and renders it to `<name>.svg` and `<name>.png`.
 * A rendering failure does not throw: the report says why instead.
 */
export async function writeChartFiles(outDir: string, specs: ChartSpec[], write: (name: string, data: string) => void, files: string[]): Promise<WrittenCharts> {
  const jobs = specs.map((chart) => {
    const names = { spec: `${chart.name}.vl.json`, svg: `${chart.name}.svg`, png: `${chart.name}.png` };
    write(names.spec, `${JSON.stringify(chart.spec, null, 2)}\n`);
    return { chart, names, files: { spec: join(outDir, names.spec), svg: join(outDir, names.svg), png: join(outDir, names.png) } };
  });
  try {
    const charts = await renderCharts(jobs.map(({ chart, files: paths }) => ({ chart, files: paths })));
    for (const job of jobs) files.push(job.names.svg, job.names.png);
    const chartIndex = Object.fromEntries(
      jobs.map(({ chart, names }) => [chart.name, { png: names.png, spec: names.spec, ...(chart.noData ? { noData: chart.noData } : {}) }]),
    );
    return { charts, chartIndex };
  } catch (error) {
    return { charts: [], chartIndex: {}, chartError: firstLine(error) };
  }
}

/**
 * Writes summary.json, report.md and the charts (`<name>.vl.json` spec,
 * `<name>.svg`, `<name>.png`) into `outDir`. A chart that cannot be rendered
 * does not lose the report: the report says why.
 */
export async function writeReport(outDir: string, records: BenchRecord[], options: WriteReportOptions): Promise<WrittenReport> {
  const summary = summarize(records, options.conditions, options.turnCap, { scope: options.scope, maxFailureRate: options.maxFailureRate });
  const files: string[] = [];
  const write = (name: string, data: string | Buffer) => {
    writeFileSync(join(outDir, name), data);
    files.push(name);
  };

  const { charts, chartIndex, chartError } = await writeChartFiles(outDir, chartSpecs(summary, options.context.judge), write, files);

  const markdown = renderMarkdownReport(summary, { ...options.context, charts: chartIndex, ...(chartError ? { chartError } : {}) });
  write(REPORT_FILES.report, markdown);
  write(REPORT_FILES.summary, `${JSON.stringify({ ...summary, context: options.context, ...(chartError ? { chartError } : {}) }, null, 2)}\n`);
  return { summary, markdown, files, charts, ...(chartError ? { chartError } : {}) };
}
