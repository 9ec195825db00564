import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { renderBarChart, renderLineChart } from "../../src/bench/report/charts.js";
import { summarize } from "../../src/bench/report/summarize.js";
import type { BenchRecord, SceneResult } from "../../src/bench/results.js";
import { runFixture } from "./helpers/runFixture.js";

/** Reads a PNG's size and raw pixels back (colour type 2, filter 0 rows as our encoder writes). */
function decodePng(png: Buffer) {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  const types: string[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("ascii", offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    types.push(type);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    }
    if (type === "IDAT") idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return { width, height, raw, types };
}

function distinctColours(raw: Buffer, width: number): number {
  const colours = new Set<number>();
  const row = width * 3 + 1;
  for (let y = 0; y * row < raw.length; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * row + 1 + x * 3;
      colours.add((raw[p] << 16) | (raw[p + 1] << 8) | raw[p + 2]);
    }
  }
  return colours.size;
}

describe("the report of a run", () => {
  let run: Awaited<ReturnType<typeof runFixture>>;
  beforeAll(async () => {
    run = await runFixture({ conditions: "none,golden,learning:1,rag", extra: { personas: 1 } });
  });

  test("writes summary.json, report.md and both charts as PNG and SVG", () => {
    for (const file of ["summary.json", "report.md", "turns-by-scene.png", "turns-by-scene.svg", "win-rate-by-group.png", "win-rate-by-group.svg", "run.json", "results.jsonl"]) {
      expect(existsSync(join(run.out, file))).toBe(true);
    }
    const summary = JSON.parse(readFileSync(join(run.out, "summary.json"), "utf8"));
    expect(summary.conditions.map((c: { condition: string }) => c.condition)).toEqual(["none", "golden", "learning:1", "rag"]);
  });

  test("the PNG charts decode to full images with drawn content", () => {
    for (const file of ["turns-by-scene.png", "win-rate-by-group.png"]) {
      const { width, height, raw, types } = decodePng(readFileSync(join(run.out, file)));
      expect([width, height]).toEqual([960, 540]);
      expect(types).toEqual(["IHDR", "IDAT", "IEND"]);
      expect(raw.length).toBe((width * 3 + 1) * height);
      // White background, ink, grid and at least one colour per series.
      expect(distinctColours(raw, width)).toBeGreaterThanOrEqual(5);
    }
    const svg = readFileSync(join(run.out, "turns-by-scene.svg"), "utf8");
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    for (const name of ["none", "golden", "learning:1", "rag"]) expect(svg).toContain(`>${name}</text>`);
  });

  test("the Markdown report has the main table, the charts, per-scene turns, win rates, similarity and cost", () => {
    const md = run.result.markdown;
    expect(md).toContain("| condition | personas | scenes | turns / scene ↓ |");
    expect(md).toMatch(/\| none \| 1 \| 7 \| 2\.00 \| 100% \| 6\.00 \| 2\.00 \|/);
    expect(md).toMatch(/\| golden \| 1 \| 7 \| 1\.00 \| 100% \| 8\.00 \| 8\.00 \|/);
    expect(md).toContain("![turns per scene](turns-by-scene.png)");
    expect(md).toContain("![win rate by session group](win-rate-by-group.png)");
    expect(md).toMatch(/\| learning:1 \| 0\.33 \(n=6\) \| 0\.50 \(n=6\) \| 0\.50 \(n=2\) \| 0\.43 \(n=14\) \| 0 \|/);
    expect(md).toContain("## Learned persona vs golden persona");
    // Cost: 7 learner runs (k = 1), 3 simulated API calls, judge = 7 first replies + 1 similarity + 14 pairwise.
    expect(md).toMatch(/\| learning:1 \| \d[\d,]* \| [\d,]+ \| [\d,]+ \| \d+ \| 7 \| \d+ \| 3 \| 22 \|/);
    expect(md).toContain("## For orientation: the paper's Table 1");
  });
});

function scene(partial: Partial<SceneResult>): SceneResult {
  return {
    type: "scene", condition: "c", personaId: "p", sceneIndex: 1, category: "x", language: "en", turns: 1,
    outcome: "satisfied", query: "q", firstReply: "r", transcript: [], toolCalls: [], learning: null,
    personaVersion: 0, cost: {}, wallMs: 10, at: "", ...partial,
  };
}

test("summaries: capped scenes count as the cap, unreadable decisions and verdicts are left out and counted", () => {
  const records: BenchRecord[] = [
    scene({ sceneIndex: 1, turns: 2, judge: { status: "ok", value: { helpfulness: 8, personalization: 4 }, attempts: 1 } }),
    scene({ sceneIndex: 2, turns: 5, outcome: "capped", judge: { status: "malformed", error: "e", raw: "x", attempts: 2 } }),
    scene({ sceneIndex: 3, turns: 1, outcome: "user_malformed", userError: "no JSON" }),
  ];
  const [c] = summarize(records, ["c"], 5).conditions;
  expect(c.turns).toEqual({ mean: 3.5, n: 2 });
  expect(c.capped).toBe(1);
  expect(c.userMalformed).toBe(1);
  expect(c.helpfulness).toEqual({ mean: 8, n: 1 });
  expect(c.judgeMalformed).toBe(1);
  expect(c.satisfiedRate).toBeCloseTo(1 / 3);
});

test("charts render without data points and with missing values", () => {
  const line = renderLineChart({ title: "t", xLabel: "x", yLabel: "y", x: ["1", "2", "3"], yMin: 0, yMax: 5, series: [{ name: "a", values: [null, 2, null] }] });
  expect(decodePng(line.png).width).toBe(960);
  const bars = renderBarChart({ title: "t", yLabel: "y", groups: ["g"], yMin: 0, yMax: 1, series: [{ name: "a", values: [null] }] });
  expect(bars.svg).not.toContain("<rect x=\"NaN");
});
