import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { ChartSpec } from "./charts.js";

/** What rendering one chart wrote. */
export interface RenderedChart {
  name: string;
  files: { spec: string; svg: string; png: string };
  /** Size of the SVG in CSS pixels; the PNG is `scale` times larger. */
  width: number;
  height: number;
  scale: number;
}

/** PNGs are rendered at twice the SVG's size, for sharp text. */
export const PNG_SCALE = 2;

/**
 * The renderer runs in its own Node process as an ES module: vega's Node
 * build loads with top-level await, which `require` (and so CommonJS test
 * runners) cannot load; a child process also keeps vega out of the caller's
 * memory. It reads the job from stdin and prints one JSON line per chart.
 */
const WORKER = `
import { readFileSync, writeFileSync } from "node:fs";
const job = JSON.parse(readFileSync(0, "utf8"));
const vega = await import(job.modules.vega);
const vegaLite = await import(job.modules.vegaLite);
const resvg = await import(job.modules.resvg);
const Resvg = resvg.Resvg ?? resvg.default.Resvg;
const results = [];
for (const chart of job.charts) {
  try {
  const compiled = vegaLite.compile(chart.spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  writeFileSync(chart.files.svg, svg);
  const rendered = new Resvg(svg, {
    fitTo: { mode: "zoom", value: job.scale },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  }).render();
  writeFileSync(chart.files.png, rendered.asPng());
  const width = Number(/<svg[^>]*\\swidth="([\\d.]+)"/.exec(svg)?.[1]);
  const height = Number(/<svg[^>]*\\sheight="([\\d.]+)"/.exec(svg)?.[1]);
  results.push({ name: chart.name, width, height, pngWidth: rendered.width, pngHeight: rendered.height });
  } catch (error) {
    process.stderr.write("chart " + chart.name + ": " + (error && error.message ? error.message : String(error)) + "\\n");
    process.exit(1);
  }
}
process.stdout.write(JSON.stringify(results));
`;

function moduleUrls(): { vega: string; vegaLite: string; resvg: string } {
  const require = createRequire(import.meta.url);
  const url = (name: string) => pathToFileURL(require.resolve(name)).href;
  return { vega: url("vega"), vegaLite: url("vega-lite"), resvg: url("@resvg/resvg-js") };
}

/**
 * Renders Vega-Lite specs to SVG (vega) and PNG (@resvg/resvg-js), writing
 * `<dir>/<name>.svg` and `<dir>/<name>.png`; the caller writes the spec
 * itself (`<name>.vl.json`) next to them.
 *
 * @param charts - The charts, with the paths to write.
 * @returns One entry per chart with the sizes written.
 * @example
 * ```ts no-run
 * await renderCharts([{ chart, files: { spec: "a.vl.json", svg: "a.svg", png: "a.png" } }]);
 * ```
 */
export async function renderCharts(
  charts: Array<{ chart: ChartSpec; files: RenderedChart["files"] }>,
): Promise<RenderedChart[]> {
  if (charts.length === 0) return [];
  const job = {
    modules: moduleUrls(),
    scale: PNG_SCALE,
    charts: charts.map(({ chart, files }) => ({ name: chart.name, spec: chart.spec, files })),
  };
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", WORKER], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`chart rendering failed (exit ${code}): ${stderr.trim().split("\n").filter(Boolean).slice(-3).join(" | ")}`));
    });
    child.stdin.end(JSON.stringify(job));
  });
  const results = JSON.parse(output) as Array<{ name: string; width: number; height: number }>;
  return results.map((result, i) => ({ name: result.name, files: charts[i].files, width: result.width, height: result.height, scale: PNG_SCALE }));
}
