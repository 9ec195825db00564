import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chartSpecs, noDataSpec } from "../../src/bench/report/charts.js";
import { consoleTable, summarize, type BenchRecord, type EpisodeResult, type SceneResult } from "../../src/bench.js";
import { renderCharts, PNG_SCALE } from "../../src/bench/report/renderCharts.js";
import { decodePng } from "./helpers/png.js";
import { runFixture } from "./helpers/runFixture.js";

const CHARTS = ["turns-by-scene", "win-rate-by-group", "similarity-by-group", "cost-by-condition"];

/** A well-formed SVG document: root element with size, balanced tags. */
function expectValidSvg(svg: string) {
  expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*width="\d+(\.\d+)?"[^>]*height="\d+(\.\d+)?"/);
  expect(svg.trim().endsWith("</svg>")).toBe(true);
  const open = (svg.match(/<(?!\/)(?![^>]*\/>)[a-zA-Z][^>]*>/g) ?? []).length;
  const close = (svg.match(/<\/[a-zA-Z][^>]*>/g) ?? []).length;
  expect(open).toBe(close);
}

describe("the report of a run", () => {
  let run: Awaited<ReturnType<typeof runFixture>>;
  beforeAll(async () => {
    run = await runFixture({ conditions: "none,golden,learning:1,rag", extra: { personas: 1 } });
  });

  test("writes summary.json, report.md and every chart as Vega-Lite spec, SVG and PNG", () => {
    for (const file of ["summary.json", "report.md", "run.json", "results.jsonl", ...CHARTS.flatMap((c) => [`${c}.vl.json`, `${c}.svg`, `${c}.png`])]) {
      expect({ file, exists: existsSync(join(run.out, file)) }).toEqual({ file, exists: true });
    }
    const summary = JSON.parse(readFileSync(join(run.out, "summary.json"), "utf8"));
    expect(summary.conditions.map((c: { condition: string }) => c.condition)).toEqual(["none", "golden", "learning:1", "rag"]);
    expect(run.result.chartError).toBeUndefined();
  });

  test("the charts are valid SVG and PNGs that decode, at twice the SVG's size", () => {
    expect(run.result.charts.map((c) => c.name)).toEqual(CHARTS);
    for (const chart of run.result.charts) {
      const svg = readFileSync(chart.files.svg, "utf8");
      expectValidSvg(svg);
      expect(chart.width).toBeGreaterThan(400);
      expect(chart.height).toBeGreaterThan(200);
      const png = decodePng(readFileSync(chart.files.png));
      expect([png.width, png.height]).toEqual([Math.round(chart.width * PNG_SCALE), Math.round(chart.height * PNG_SCALE)]);
      expect(png.types[0]).toBe("IHDR");
      expect(png.types.at(-1)).toBe("IEND");
      const spec = JSON.parse(readFileSync(chart.files.spec, "utf8"));
      expect(spec.$schema).toMatch(/vega-lite/);
    }
    const turns = readFileSync(join(run.out, "turns-by-scene.svg"), "utf8");
    for (const name of ["none", "golden", "learning:1", "rag"]) expect(turns).toContain(`>${name}</text>`);
    // Four conditions, seven scenes: the spec holds one point with its interval per condition and scene.
    const values = JSON.parse(readFileSync(join(run.out, "turns-by-scene.vl.json"), "utf8")).data.values;
    expect(values).toHaveLength(28);
    expect(values[0]).toEqual(expect.objectContaining({ condition: "none", scene: 1, mean: 2, low: 2, high: 2, n: 1 }));
  });

  test("the Markdown report: main table with figures, charts, win rates, similarity, learning, role health, cost, protocol; no paper figures", () => {
    const md = run.result.markdown;
    expect(md).toContain("| condition | personas | scenes | turns / scene ↓ |");
    // One persona: means without intervals.
    expect(md).toMatch(/\| none \| 1 \| 7\/7 \| 2\.00 \| 100% \| 6\.00 \| 2\.00 \| – \| – \|/);
    expect(md).toMatch(/\| golden \| 1 \| 7\/7 \| 1\.00 \| 100% \| 8\.00 \| 8\.00 \| – \| – \|/);
    for (const chart of CHARTS) expect(md).toContain(`(${chart}.png)`);
    expect(md).toMatch(/\| learning:1 \| 33% \| 50% \| 50% \| 43% \| 14 \| 0 \| 0 \|/);
    expect(md).toContain("## Learned persona vs golden persona");
    expect(md).toMatch(/\| learning:1 \| 7 \| 7 \| 0 \| 0 \| 0 \| 0 \| 0 \| 7 \| 0 \|/);
    expect(md).toContain("## Failures and unreadable replies per role");
    expect(md).toContain("No role's failure or unreadable rate is above 5%");
    // Cost: 7 learner runs (k = 1), 3 simulated API calls, judge = 7 first replies + 1 similarity + 14 pairwise.
    expect(md).toMatch(/\| learning:1 \| \d[\d,]* \| [\d,]+ \| [\d,]+ \| \d+ \| 7 \| \d+ \| 3 \| 22 \|/);
    expect(md).toContain("| chatbot replies per scene | 5 | 3 | 5 |");
    expect(md).not.toMatch(/paper|Table 1/i);
  });

  test("the console table is printed from the summary: same figures as the report", () => {
    const lines = consoleTable(run.result.summary);
    expect(lines[0]).toMatch(/^condition\s+personas\s+scenes\s+turns \/ scene ↓/);
    expect(lines.find((l) => l.startsWith("golden"))).toMatch(/^golden\s+1\s+7\/7\s+1\.00\s+100%\s+8\.00\s+8\.00\s+–\s+–$/);
    expect(lines.find((l) => l.startsWith("learning:1"))).toMatch(/43%$/);
  });
});

function scene(partial: Partial<SceneResult>): SceneResult {
  return {
    type: "scene", condition: "c", personaId: "p", sceneIndex: 1, category: "x", language: "en", turns: 1,
    outcome: "satisfied", query: "q", firstReply: "r", transcript: [], toolCalls: [], learning: null,
    personaVersion: 0, cost: {}, wallMs: 10, at: "", ...partial,
  };
}

const ok = (helpfulness: number, personalization: number) => ({ status: "ok" as const, value: { helpfulness, personalization }, attempts: 1 });

test("unreadable decisions leave the denominators and are counted; capped scenes count as the cap; unreadable verdicts are counted", () => {
  const records: BenchRecord[] = [
    scene({ sceneIndex: 1, turns: 2, judge: ok(8, 4), cost: { user: { calls: 2, failed: 0, promptTokens: 1, completionTokens: 1, callsWithoutUsage: 0 } } }),
    scene({ sceneIndex: 2, turns: 5, outcome: "capped", judge: { status: "malformed", error: "e", raw: "x", attempts: 2 } }),
    scene({ sceneIndex: 3, turns: 1, outcome: "user_malformed", userError: "no JSON" }),
  ];
  const [c] = summarize(records, ["c"], 5).conditions;
  expect(c.turns).toEqual({ mean: 3.5, low: null, high: null, n: 1 });
  expect(c.scenesCapped).toBe(1);
  expect(c.scenesUnreadable).toBe(1);
  // 1 of the 2 readable scenes was satisfied: the unreadable one is not in the denominator.
  expect(c.satisfied.mean).toBe(0.5);
  expect(c.helpfulness.mean).toBe(8);
  expect(c.judgeUnreadable).toBe(1);
  expect(c.roles.user).toMatchObject({ outcomes: 8, unreadable: 1 });
  expect(c.roles.judge).toMatchObject({ outcomes: 2, unreadable: 1, unreadableRate: 0.5 });
  expect(c.problems.turns).toEqual(["user: 1 of 8 replies unreadable"]);
  expect(c.problems.helpfulness).toEqual(["judge: 1 of 2 first-reply verdicts unreadable"]);
});

test("a run whose every user and judge reply is unreadable shows no figures, marks nothing as measured, and breaches the threshold", () => {
  const records: BenchRecord[] = [1, 2, 3].map((i) =>
    scene({ sceneIndex: i, outcome: "user_malformed", judge: { status: "malformed", error: "e", raw: "x", attempts: 2 } }),
  );
  const summary = summarize(records, ["c"], 5);
  const [c] = summary.conditions;
  expect(c.satisfied.mean).toBeNull();
  expect(c.turns.mean).toBeNull();
  expect(c.helpfulness.mean).toBeNull();
  expect(summary.breaches.map((b) => `${b.role} ${b.kind} ${b.count}/${b.of}`)).toEqual(["user unreadable 3/3", "judge unreadable 3/3"]);
  expect(consoleTable(summary).join("\n")).toMatch(/^c\s+1\s+3\/3\s+–\*\s+–\*\s+–\*\s+–\*\s+–\s+–$/m);
});

test("intervals over personas on records with known answers, and paired differences to golden and none", () => {
  const records: BenchRecord[] = [];
  // Golden: 1 turn for every persona; none: persona a 2 turns, b 3 turns; learning: a 1, b 2.
  for (const [condition, turns] of [["golden", { a: 1, b: 1 }], ["none", { a: 2, b: 3 }], ["learning:1", { a: 1, b: 2 }]] as const) {
    for (const [personaId, t] of Object.entries(turns)) {
      for (const sceneIndex of [1, 2]) records.push(scene({ condition, personaId, sceneIndex, turns: t }));
    }
  }
  const summary = summarize(records, ["none", "golden", "learning:1"], 5);
  const [none, golden, learning] = summary.conditions;
  expect(golden.turns).toEqual({ mean: 1, low: 1, high: 1, n: 2 });
  // Two personas: the resampled means are 2, 2.5 or 3 → [2, 3].
  expect(none.turns).toEqual({ mean: 2.5, low: 2, high: 3, n: 2 });
  expect(learning.vsGolden!.turns).toEqual({ mean: 0.5, low: 0, high: 1, n: 2 });
  expect(learning.vsNone!.turns).toEqual({ mean: -1, low: -1, high: -1, n: 2 });
  expect(none.vsGolden!.turns).toEqual({ mean: 1.5, low: 1, high: 2, n: 2 });
  expect(golden.vsGolden).toBeUndefined();
});

test("one similarity figure per persona and condition: episodes judged at another scene count are left out", () => {
  const episode = (scenes: number, score: number): EpisodeResult => ({
    type: "episode", condition: "learning:1", personaId: "p", scenes, personaVersion: 1, finalPersona: {}, cost: {}, at: "",
    similarity: { status: "ok", value: { scores: { Demographics: score, Pattern: score } }, attempts: 1 },
  });
  const records: BenchRecord[] = [
    ...[1, 2, 3, 4].map((i) => scene({ condition: "learning:1", sceneIndex: i })),
    episode(4, 6),
    episode(2, 2),
    episode(4, 8),
  ];
  const four = summarize(records, ["learning:1"], 5, { scope: { personas: [{ id: "p", scenes: 4 }], repeats: 1 } }).conditions[0];
  expect(four.similarity).toMatchObject({ overall: { mean: 8, n: 1 }, judged: 1, missing: 0 });
  const two = summarize(records, ["learning:1"], 5, { scope: { personas: [{ id: "p", scenes: 2 }], repeats: 1 } }).conditions[0];
  expect(two.similarity).toMatchObject({ overall: { mean: 2, n: 1 }, judged: 1 });
  expect(two.scenes).toBe(2);
});

describe("charts without data say so and why", () => {
  test("no pairwise judgments, no similarity, judging off", async () => {
    const records: BenchRecord[] = [scene({ condition: "none" })];
    const summary = summarize(records, ["none"], 5);
    const specs = chartSpecs(summary, false);
    expect(specs.map((s) => [s.name, s.noData])).toEqual([
      ["turns-by-scene", undefined],
      ["win-rate-by-group", "judging was off (--no-judge)"],
      ["similarity-by-group", "judging was off (--no-judge)"],
      ["cost-by-condition", "no model call was recorded"],
    ]);
    expect(chartSpecs(summary, true)[1].noData).toBe("pairwise judging needs golden and a learning condition in the same run");
    const dir = mkdtempSync(join(tmpdir(), "bench-charts-"));
    const [rendered] = await renderCharts([
      { chart: { name: "empty", title: "t", spec: noDataSpec("Win rate", "judging was off (--no-judge)") }, files: { spec: join(dir, "e.vl.json"), svg: join(dir, "e.svg"), png: join(dir, "e.png") } },
    ]);
    const svg = readFileSync(join(dir, "e.svg"), "utf8");
    expectValidSvg(svg);
    expect(svg).toContain("no data: judging was off (--no-judge)");
    expect(decodePng(readFileSync(join(dir, "e.png"))).width).toBe(Math.round(rendered.width * PNG_SCALE));
  });

  test("a spec the renderer rejects fails with the renderer's message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-charts-"));
    await expect(
      renderCharts([{ chart: { name: "bad", title: "t", spec: { mark: "nonsense-mark" } }, files: { spec: join(dir, "b.vl.json"), svg: join(dir, "b.svg"), png: join(dir, "b.png") } }]),
    ).rejects.toThrow(/chart rendering failed \(exit 1\): chart bad: /);
  });
});
