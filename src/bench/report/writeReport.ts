import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderBarChart, renderLineChart } from "./charts.js";
import { renderMarkdownReport, type ReportContext } from "./markdown.js";
import { SESSION_GROUPS, summarize, type BenchSummary } from "./summarize.js";
import type { BenchRecord } from "../results.js";

export const REPORT_FILES = {
  summary: "summary.json",
  report: "report.md",
  turnsPng: "turns-by-scene.png",
  turnsSvg: "turns-by-scene.svg",
  winPng: "win-rate-by-group.png",
  winSvg: "win-rate-by-group.svg",
};

export interface WrittenReport {
  summary: BenchSummary;
  markdown: string;
  files: string[];
}

/** Writes summary.json, report.md and the charts (PNG and SVG) into `outDir`. */
export function writeReport(
  outDir: string,
  records: BenchRecord[],
  conditions: string[],
  turnCap: number,
  context: Omit<ReportContext, "charts">,
): WrittenReport {
  const summary = summarize(records, conditions, turnCap);
  const files: string[] = [];
  const write = (name: string, data: string | Buffer) => {
    writeFileSync(join(outDir, name), data);
    files.push(name);
  };

  const maxScene = Math.max(1, ...summary.conditions.flatMap((c) => Object.keys(c.turnsByScene).map(Number)));
  const x = Array.from({ length: maxScene }, (_, i) => String(i + 1));
  const turns = renderLineChart({
    title: "Turns per scene until satisfied",
    xLabel: "scene (session) index",
    yLabel: "turns",
    x,
    yMin: 0,
    yMax: turnCap,
    series: summary.conditions.map((c) => ({ name: c.condition, values: x.map((i) => c.turnsByScene[i]?.mean ?? null) })),
    formatY: (v) => String(v),
  });
  write(REPORT_FILES.turnsPng, turns.png);
  write(REPORT_FILES.turnsSvg, turns.svg);

  const withWins = summary.conditions.filter((c) => c.winRate);
  let winChart: string | undefined;
  if (withWins.length) {
    const wins = renderBarChart({
      title: "Win rate against golden by session group",
      yLabel: "win rate",
      groups: SESSION_GROUPS.map((g) => `sessions ${g.label}`),
      yMin: 0,
      yMax: 1,
      reference: { value: 0.5, label: "parity" },
      series: withWins.map((c) => ({ name: c.condition, values: SESSION_GROUPS.map((g) => c.winRate!.groups[g.label]?.mean ?? null) })),
      formatY: (v) => `${Math.round(v * 100)}%`,
    });
    write(REPORT_FILES.winPng, wins.png);
    write(REPORT_FILES.winSvg, wins.svg);
    winChart = REPORT_FILES.winPng;
  }

  const markdown = renderMarkdownReport(summary, { ...context, charts: { turns: REPORT_FILES.turnsPng, winRate: winChart } });
  write(REPORT_FILES.report, markdown);
  write(REPORT_FILES.summary, `${JSON.stringify({ ...summary, context }, null, 2)}\n`);
  return { summary, markdown, files };
}
