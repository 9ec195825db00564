import { BENCH_ROLES } from "../cost.js";
import type { Interval } from "../stats/bootstrap.js";
import { SESSION_GROUPS, type BenchSummary } from "./summarize.js";

/** A Vega-Lite specification (JSON). */
export type VegaLiteSpec = Record<string, unknown>;

/** One chart of the report: its file stem, its Vega-Lite spec, and why it is empty when it is. */
export interface ChartSpec {
  /** File stem: `<name>.vl.json`, `<name>.svg`, `<name>.png`. */
  name: string;
  title: string;
  spec: VegaLiteSpec;
  /** Set when there is nothing to plot; the chart then says so. */
  noData?: string;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const WIDTH = 520;
const HEIGHT = 300;
const CONFIG = { font: "sans-serif", background: "white", view: { stroke: "#ddd" }, axis: { labelFontSize: 12, titleFontSize: 13 } };

/** A chart that says there is no data and why. */
export function noDataSpec(title: string, reason: string): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title,
    width: WIDTH,
    height: 120,
    config: { ...CONFIG, view: { stroke: null } },
    data: { values: [{ text: `no data: ${reason}` }] },
    mark: { type: "text", fontSize: 15, color: "#555" },
    encoding: { text: { field: "text" } },
  };
}

const ci = (interval: Interval) => ({ mean: interval.mean, low: interval.low ?? interval.mean, high: interval.high ?? interval.mean, n: interval.n });

function turnsByScene(summary: BenchSummary): ChartSpec {
  const title = "Turns per scene until satisfied (mean over personas, 95% CI)";
  const values = summary.conditions.flatMap((c) =>
    Object.entries(c.turnsByScene)
      .filter(([, interval]) => interval.mean !== null)
      .map(([scene, interval]) => ({ condition: c.condition, scene: Number(scene), ...ci(interval) })),
  );
  if (values.length === 0) return { name: "turns-by-scene", title, spec: noDataSpec(title, "no readable scene was recorded"), noData: "no readable scene was recorded" };
  const x = { field: "scene", type: "ordinal", title: "scene (session) index", axis: { labelAngle: 0 } };
  const color = { field: "condition", type: "nominal", title: "condition" };
  return {
    name: "turns-by-scene",
    title,
    spec: {
      $schema: SCHEMA,
      title,
      width: WIDTH,
      height: HEIGHT,
      config: CONFIG,
      data: { values },
      encoding: { x, color },
      layer: [
        { mark: { type: "errorbar", thickness: 1.5 }, encoding: { y: { field: "low", type: "quantitative", title: "turns", scale: { domain: [0, summary.turnCap] } }, y2: { field: "high" } } },
        { mark: { type: "line", point: true }, encoding: { y: { field: "mean", type: "quantitative", title: "turns" }, tooltip: [{ field: "condition" }, { field: "scene" }, { field: "mean", format: ".2f" }, { field: "n", title: "personas" }] } },
      ],
    },
  };
}

function groupedBars(name: string, title: string, values: Array<Record<string, unknown>>, x: { field: string; title: string; sort?: string[] }, y: { title: string; domain: number[]; format?: string }, reference?: number): ChartSpec {
  const encoding = {
    x: { field: x.field, type: "nominal", title: x.title, sort: x.sort ?? null, axis: { labelAngle: 0 } },
    xOffset: { field: "condition" },
    color: { field: "condition", type: "nominal", title: "condition" },
  };
  const yAxis = { type: "quantitative", title: y.title, scale: { domain: y.domain }, axis: y.format ? { format: y.format } : {} };
  const layer: unknown[] = [
    { data: { values }, mark: "bar", encoding: { ...encoding, y: { field: "mean", ...yAxis } } },
    { data: { values }, mark: { type: "errorbar", color: "#333", thickness: 1.5 }, encoding: { ...encoding, y: { field: "low", ...yAxis }, y2: { field: "high" } } },
  ];
  if (reference !== undefined) {
    layer.push({ data: { values: [{ reference }] }, mark: { type: "rule", strokeDash: [6, 4], color: "#888" }, encoding: { y: { field: "reference", ...yAxis } } });
  }
  return { name, title, spec: { $schema: SCHEMA, title, width: WIDTH, height: HEIGHT, config: CONFIG, layer } };
}

function winRateByGroup(summary: BenchSummary, judged: boolean): ChartSpec {
  const title = "Win rate against golden by session group (95% CI)";
  const withWins = summary.conditions.filter((c) => c.winRate);
  const values = withWins.flatMap((c) =>
    SESSION_GROUPS.flatMap((g) => {
      const interval = c.winRate!.groups[g.label];
      return interval && interval.mean !== null ? [{ condition: c.condition, group: `sessions ${g.label}`, ...ci(interval) }] : [];
    }),
  );
  if (values.length === 0) {
    const reason = !judged
      ? "judging was off (--no-judge)"
      : withWins.length
        ? "every pairwise verdict failed or was unreadable"
        : "pairwise judging needs golden and a learning condition in the same run";
    return { name: "win-rate-by-group", title, spec: noDataSpec(title, reason), noData: reason };
  }
  return groupedBars("win-rate-by-group", title, values, { field: "group", title: "session group", sort: SESSION_GROUPS.map((g) => `sessions ${g.label}`) }, { title: "win rate (tie = ½)", domain: [0, 1], format: "%" }, 0.5);
}

function similarityByGroup(summary: BenchSummary, judged: boolean): ChartSpec {
  const title = "Learned persona vs golden by field group (0-10, 95% CI)";
  const values = summary.conditions.flatMap((c) =>
    Object.entries(c.similarity?.groups ?? {})
      .filter(([, interval]) => interval.mean !== null)
      .map(([group, interval]) => ({ condition: c.condition, group, ...ci(interval) })),
  );
  if (values.length === 0) {
    const reason = !judged
      ? "judging was off (--no-judge)"
      : summary.conditions.some((c) => c.similarity)
        ? "every similarity verdict failed or was unreadable, or no episode finished"
        : "no learning condition finished an episode";
    return { name: "similarity-by-group", title, spec: noDataSpec(title, reason), noData: reason };
  }
  return groupedBars("similarity-by-group", title, values, { field: "group", title: "field group", sort: ["Demographics", "Personality", "Pattern", "Preference"] }, { title: "similarity", domain: [0, 10] });
}

function costByCondition(summary: BenchSummary): ChartSpec {
  const title = "Model calls and tokens per condition";
  const calls = summary.conditions.flatMap((c) =>
    BENCH_ROLES.flatMap((role) => (c.cost[role]?.calls ? [{ condition: c.condition, role, calls: c.cost[role]!.calls }] : [])),
  );
  const tokens = summary.conditions.flatMap((c) => [
    { condition: c.condition, kind: "prompt", tokens: c.cost.total.promptTokens },
    { condition: c.condition, kind: "completion", tokens: c.cost.total.completionTokens },
  ]);
  if (calls.length === 0) return { name: "cost-by-condition", title, spec: noDataSpec(title, "no model call was recorded"), noData: "no model call was recorded" };
  const x = { field: "condition", type: "nominal", title: "condition", sort: summary.conditions.map((c) => c.condition), axis: { labelAngle: -30 } };
  return {
    name: "cost-by-condition",
    title,
    spec: {
      $schema: SCHEMA,
      title,
      config: CONFIG,
      hconcat: [
        {
          width: 300,
          height: HEIGHT,
          data: { values: calls },
          mark: "bar",
          encoding: { x, y: { field: "calls", type: "quantitative", stack: "zero", title: "model calls" }, color: { field: "role", type: "nominal", title: "role", sort: [...BENCH_ROLES] } },
        },
        {
          width: 300,
          height: HEIGHT,
          data: { values: tokens },
          mark: "bar",
          encoding: { x, y: { field: "tokens", type: "quantitative", stack: "zero", title: "tokens" }, color: { field: "kind", type: "nominal", title: "tokens", scale: { scheme: "greys" } } },
        },
      ],
      resolve: { scale: { color: "independent" } },
    },
  };
}

/**
 * The report's charts as Vega-Lite specs: turns by scene index, win rate by
 * session group, persona similarity by field group (each with 95 % bootstrap
 * intervals over personas) and cost per condition. A chart without data says
 * "no data" and why.
 *
 * @param summary - The run's summary.
 * @param judged - Whether judging was on.
 * @returns One ChartSpec per chart.
 * @example
 * ```ts no-run
 * for (const chart of chartSpecs(summary, true)) writeFileSync(`${chart.name}.vl.json`, JSON.stringify(chart.spec));
 * ```
 */
export function chartSpecs(summary: BenchSummary, judged: boolean): ChartSpec[] {
  return [turnsByScene(summary), winRateByGroup(summary, judged), similarityByGroup(summary, judged), costByCondition(summary)];
}
