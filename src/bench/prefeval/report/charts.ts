import { noDataSpec, type ChartSpec } from "../../report/charts.js";
import type { Interval } from "../../stats/bootstrap.js";
import { PREFEVAL_ERROR_TYPES } from "../judge/checks.js";
import { cellAt, type PrefEvalSummary } from "./summarize.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const CONFIG = { font: "sans-serif", background: "white", view: { stroke: "#ddd" }, axis: { labelFontSize: 12, titleFontSize: 13 } };
const ci = (interval: Interval) => ({ mean: interval.mean, low: interval.low ?? interval.mean, high: interval.high ?? interval.mean, n: interval.n });
const percentAxis = { type: "quantitative", scale: { domain: [0, 1] }, axis: { format: "%" } };

/** Accuracy of each condition at each filler count; conditions that do not play session 1 are drawn at every count. */
function accuracyByFillers(summary: PrefEvalSummary): ChartSpec {
  const title = "Preference-following accuracy by filler turns (95% CI over items)";
  const values = summary.conditions.flatMap((c) =>
    summary.scope.fillers.flatMap((f) => {
      const cell = cellAt(summary, { condition: c.condition, form: "all", topic: "all", fillers: c.usesFillers ? f : null });
      return cell && cell.accuracy.mean !== null ? [{ condition: c.condition, fillers: f, ...ci(cell.accuracy) }] : [];
    }),
  );
  if (values.length === 0) {
    const reason = "no reply was judged";
    return { name: "accuracy-by-fillers", title, spec: noDataSpec(title, reason), noData: reason };
  }
  const encoding = {
    x: { field: "fillers", type: "ordinal", title: "filler turns between the preference and the question", axis: { labelAngle: 0 } },
    xOffset: { field: "condition", sort: summary.scope.conditions },
    color: { field: "condition", type: "nominal", title: "condition", sort: summary.scope.conditions },
  };
  const y = { ...percentAxis, title: "accuracy" };
  return {
    name: "accuracy-by-fillers",
    title,
    spec: {
      $schema: SCHEMA,
      title: { text: title, subtitle: "none and golden never see session 1: the same value at every count" },
      width: 520,
      height: 300,
      config: CONFIG,
      data: { values },
      encoding,
      layer: [
        {
          mark: "bar",
          encoding: {
            y: { field: "mean", ...y },
            tooltip: [{ field: "condition" }, { field: "fillers" }, { field: "mean", format: ".1%" }, { field: "n", title: "items" }],
          },
        },
        { mark: { type: "errorbar", color: "#333", thickness: 1.5 }, encoding: { y: { field: "low", ...y }, y2: { field: "high" } } },
      ],
    },
  };
}

/** Share of judged replies by outcome (follows, or PrefEval's error type), per condition and filler count. */
function errorTypes(summary: PrefEvalSummary): ChartSpec {
  const title = "Outcome of judged replies by condition and filler turns";
  const outcomes = ["follows", ...PREFEVAL_ERROR_TYPES];
  const values = summary.conditions.flatMap((c) =>
    summary.scope.fillers.flatMap((f) => {
      const cell = cellAt(summary, { condition: c.condition, form: "all", topic: "all", fillers: c.usesFillers ? f : null });
      if (!cell || cell.judged === 0) return [];
      const wrong = PREFEVAL_ERROR_TYPES.reduce((sum, e) => sum + cell.errors[e], 0);
      const counts: Record<string, number> = { follows: cell.judged - wrong, ...cell.errors };
      return outcomes.map((outcome) => ({ condition: c.condition, fillers: `${f} filler turns`, outcome, share: counts[outcome] / cell.judged, count: counts[outcome], judged: cell.judged }));
    }),
  );
  if (values.length === 0) {
    const reason = "no reply was judged";
    return { name: "error-types", title, spec: noDataSpec(title, reason), noData: reason };
  }
  return {
    name: "error-types",
    title,
    spec: {
      $schema: SCHEMA,
      title,
      config: CONFIG,
      data: { values },
      mark: "bar",
      width: 200,
      height: 260,
      encoding: {
        column: { field: "fillers", type: "ordinal", title: null, sort: summary.scope.fillers.map((f) => `${f} filler turns`) },
        x: { field: "condition", type: "nominal", title: null, sort: summary.scope.conditions, axis: { labelAngle: -30 } },
        y: { field: "share", type: "quantitative", stack: "normalize", title: "share of judged replies", axis: { format: "%" } },
        color: {
          field: "outcome",
          type: "nominal",
          title: "outcome",
          sort: outcomes,
          scale: { domain: outcomes, range: ["#4c9a2a", "#999999", "#e6a23c", "#c0392b", "#7d3c98"] },
        },
        order: { field: "outcome", sort: "ascending" },
        tooltip: [{ field: "condition" }, { field: "fillers" }, { field: "outcome" }, { field: "count" }, { field: "judged" }, { field: "share", format: ".1%" }],
      },
    },
  };
}

/** The persona condition: share of items whose stored persona records the preference, by filler count and form. */
function storedPreference(summary: PrefEvalSummary): ChartSpec {
  const title = "persona: the learned persona records the preference (95% CI over items)";
  const stored = summary.conditions.find((c) => c.condition === "persona")?.stored;
  const values = stored
    ? summary.scope.fillers.flatMap((f) => {
        const rows: Array<Record<string, unknown>> = [];
        const pooled = stored.byFillers[String(f)];
        if (pooled && pooled.mean !== null) rows.push({ fillers: f, form: "all forms", ...ci(pooled) });
        return rows;
      })
    : [];
  if (values.length === 0) {
    const reason = stored ? "no stored-preference verdict was readable" : "the persona condition was not run";
    return { name: "stored-preference", title, spec: noDataSpec(title, reason), noData: reason };
  }
  const x = { field: "fillers", type: "ordinal", title: "filler turns in session 1", axis: { labelAngle: 0 } };
  return {
    name: "stored-preference",
    title,
    spec: {
      $schema: SCHEMA,
      title,
      width: 420,
      height: 260,
      config: CONFIG,
      data: { values },
      encoding: { x },
      layer: [
        { mark: { type: "bar", color: "#5b8def", width: { band: 0.6 } }, encoding: { y: { field: "mean", ...percentAxis, title: "items whose persona records it" } } },
        { mark: { type: "errorbar", color: "#333", thickness: 1.5 }, encoding: { y: { field: "low", ...percentAxis, title: "items whose persona records it" }, y2: { field: "high" } } },
      ],
    },
  };
}

/**
 * The PrefEval report's charts as Vega-Lite specs: accuracy by condition and
 * filler count (with intervals), the outcome mix (follows and the four error
 * types) by condition and filler count, and the persona condition's
 * stored-preference rate. A chart without data says why.
 *
 * @param summary - The run's summary.
 * @returns One ChartSpec per chart.
 * @example
 * ```ts no-run
 * const charts = prefEvalChartSpecs(summary);
 * ```
 */
export function prefEvalChartSpecs(summary: PrefEvalSummary): ChartSpec[] {
  return [accuracyByFillers(summary), errorTypes(summary), storedPreference(summary)];
}
