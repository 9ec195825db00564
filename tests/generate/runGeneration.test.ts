import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPersonaBench } from "../../src/bench.js";
import { GENERATION_LOG_FILE, runGeneration, type GenerationRunOptions } from "../../src/generate.js";
import type { ScriptedChatModel } from "../../src/testing/index.js";
import { CaptureStream } from "./helpers/captureStream.js";
import { fixtureCategories, fixtureSeeds, SEED_FILE } from "./helpers/fixtures.js";
import { promptOf, scriptedGenerator, type Override } from "./helpers/scriptedGenerator.js";

const MODEL_INFO = { generator: { model: "scripted", baseURL: "local" }, checker: { model: "scripted", baseURL: "local" } };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "generate-run-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function options(model: ScriptedChatModel, extra: Partial<GenerationRunOptions> = {}): GenerationRunOptions & { progress: CaptureStream } {
  return {
    seeds: fixtureSeeds(),
    seedFile: SEED_FILE,
    categories: fixtureCategories(),
    out: join(dir, "out"),
    scenes: 4,
    concurrency: 2,
    models: { generator: model, checker: model },
    modelInfo: MODEL_INFO,
    progress: new CaptureStream(),
    ...extra,
  } as GenerationRunOptions & { progress: CaptureStream };
}

const logRecords = (out: string) =>
  readFileSync(join(out, GENERATION_LOG_FILE), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; slot?: number });

describe("runGeneration", () => {
  test("writes one release-layout file per persona, the log and the report; the folder loads with 0 problems", async () => {
    const model = scriptedGenerator();
    const run = options(model);
    const result = await runGeneration(run);
    expect(result).toMatchObject({ written: 3, dropped: 0, failed: 0, skipped: 0, interrupted: false, loaderProblems: [] });
    expect(readdirSync(run.out).sort()).toEqual(["Aiko.json", "Marta.json", "Tomasz.json", "generation-log.jsonl", "generation-report.md"]);
    const loaded = loadPersonaBench(run.out);
    expect(loaded.problems).toEqual([]);
    expect(loaded.personas.map((persona) => [persona.id, persona.scenes.length])).toEqual([
      ["Aiko", 4],
      ["Marta", 4],
      ["Tomasz", 4],
    ]);
    expect(logRecords(run.out).map((record) => record.type)).toEqual(["run", "persona", "persona", "persona"]);
    // Not a terminal: one plain line per persona.
    expect(run.progress.text.split("\n").filter(Boolean)).toEqual([
      expect.stringMatching(/^\[1\/3\] \S+\.json: 4 scenes \(1 dropped, \d+ repaired\)$/),
      expect.stringMatching(/^\[2\/3\] /),
      expect.stringMatching(/^\[3\/3\] /),
    ]);

    const report = readFileSync(result.reportPath, "utf8");
    expect(report).toContain("- Loader check (loadPersonaBench): 3 personas loaded, 0 problems");
    expect(report).toContain("| 3 | 3 | 0 | 0 | 0 |");
    expect(report).toContain("12 scenes written (4.0 per persona); 0 personas have fewer than 4 scenes.");
    expect(report).toMatch(/\| filter_refine \| dropped\.unanswerable \| 3 \|/);
    expect(report).toContain("| filter_refine | unanswerable | 3 |");
    expect(report).toMatch(/Pairwise similarity of the written personas \(3 values\): min 0\.\d\d/);
    expect(report).toContain("| 0.9–1.0 | 0 |");
    const calls = model.calls.length;
    expect(report).toContain(`| all | all | ${calls} | 0 | 0 | ${calls} |`);
    expect(report).toContain(`${calls} replies carried no token usage`);
    expect(report).toContain("No model call failed");
  });

  test("a rerun skips finished personas without a model call, rewrites a file the log holds, and ignores a line cut by a kill", async () => {
    const first = scriptedGenerator();
    const run = options(first);
    await runGeneration(run);
    const marta = readFileSync(join(run.out, "Marta.json"), "utf8");
    unlinkSync(join(run.out, "Marta.json"));
    appendFileSync(join(run.out, GENERATION_LOG_FILE), '{"type":"persona","slot":9,"fi');

    const second = scriptedGenerator();
    const rerun = options(second);
    const result = await runGeneration(rerun);
    expect(result).toMatchObject({ written: 0, skipped: 3, failed: 0 });
    expect(second.calls).toHaveLength(0);
    expect(readFileSync(join(run.out, "Marta.json"), "utf8")).toBe(marta);
    expect(rerun.progress.text).toMatch(/ignored unreadable lines 5 of generation-log\.jsonl/);
    expect(result.summary.written).toBe(3);
    // The cut line was ended: the rerun's own record is readable.
    const lines = readFileSync(join(run.out, GENERATION_LOG_FILE), "utf8").split("\n").filter(Boolean);
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[5]).type).toBe("run");
  });

  test("a failed persona is logged and reported; the rerun retries only it and compares it with the personas already written", async () => {
    const flaky: Override = (tool, prompt) => {
      if (tool === "submit_query" && prompt.includes('"Name": "Tomasz"')) throw new Error("upstream timeout");
      return undefined;
    };
    const run = options(scriptedGenerator(flaky));
    const result = await runGeneration(run);
    expect(result).toMatchObject({ written: 2, failed: 1 });
    expect(run.progress.text).toMatch(/^\[\d\/3\] FAILED slot 2 \(Tomasz\): query_generation: upstream timeout$/m);
    expect(existsSync(join(run.out, "Tomasz.json"))).toBe(false);
    const report = readFileSync(result.reportPath, "utf8");
    expect(report).toContain("| 3 | 2 | 0 | 1 | 0 |");
    expect(report).toMatch(/\| 2 \| query_generation \| model-error \| upstream timeout \|/);

    const healthy = scriptedGenerator();
    const retry = await runGeneration(options(healthy));
    expect(retry).toMatchObject({ written: 1, skipped: 2, failed: 0 });
    expect(healthy.calls.some((call) => promptOf(call.messages).includes('"Name": "Marta"'))).toBe(false);
    const similarity = retry.summary.similarities.filter((record) => record.slot === 1).at(-1);
    expect(similarity?.nearest).not.toBeNull();
    expect(retry.summary).toMatchObject({ written: 3, failedPending: 0 });
    expect(loadPersonaBench(run.out).problems).toEqual([]);
  });

  test("a folder made with other settings is refused before any model call", async () => {
    await runGeneration(options(scriptedGenerator()));
    const model = scriptedGenerator();
    await expect(runGeneration(options(model, { scenes: 5, language: "es" }))).rejects.toThrow(
      /holds personas generated with other settings \(scenes was 4, now 5; language was en, now es\); use the same settings to resume, or another --out/,
    );
    expect(model.calls).toHaveLength(0);
  });

  test("from a population: categories are generated once and kept; concurrent seeds take turns; a rerun with more personas adds new people", async () => {
    const model = scriptedGenerator();
    const run = options(model, { seeds: undefined, seedFile: undefined, categories: undefined, population: "bus drivers in Lisbon", personas: 2, concurrency: 2, language: "pt" });
    const result = await runGeneration(run);
    expect(result.written).toBe(2);
    // The second seed call waited for the first and saw its person in "already used".
    const seedPrompts = model.calls.filter((call) => call.tools[0] === "submit_seeds").map((call) => promptOf(call.messages));
    expect(seedPrompts).toHaveLength(2);
    expect(seedPrompts[0]).toContain("(nobody yet)");
    expect(seedPrompts[1]).toMatch(/<already_used>\nPerson 1, /);
    expect(model.calls.filter((call) => call.tools[0] === "submit_categories")).toHaveLength(1);
    expect(logRecords(run.out).map((record) => record.type)).toEqual(["run", "categories", "persona", "persona"]);

    const more = scriptedGenerator();
    const extended = await runGeneration({ ...run, models: { generator: more, checker: more }, personas: 3, progress: new CaptureStream() });
    expect(extended).toMatchObject({ written: 1, skipped: 2 });
    expect(more.calls.filter((call) => call.tools[0] === "submit_categories")).toHaveLength(0);
    const seedPrompt = promptOf(more.calls.find((call) => call.tools[0] === "submit_seeds")!.messages);
    expect(seedPrompt).toMatch(/Person 1, \d+, /);
    expect(seedPrompt).toMatch(/Person 2, \d+, /);
    expect(readdirSync(run.out).filter((name) => name.endsWith(".json")).sort()).toEqual(["Person 1.json", "Person 2.json", "Person 3.json"]);
    expect(readFileSync(extended.reportPath, "utf8")).toContain('- Source: population "bus drivers in Lisbon"');
  });

  test("an aborted run starts no new persona, finishes the one in flight, and says it was interrupted", async () => {
    const controller = new AbortController();
    const model = scriptedGenerator((tool) => {
      if (tool === "submit_persona") controller.abort();
      return undefined;
    });
    const result = await runGeneration(options(model, { concurrency: 1, signal: controller.signal }));
    expect(result).toMatchObject({ written: 1, interrupted: true });
    expect(readFileSync(result.reportPath, "utf8")).toContain("**Interrupted**: rerun the same command to continue.");
    expect(result.summary.notStarted).toBe(2);
  });

  test("on a terminal the progress is a bar", async () => {
    const tty = new CaptureStream(true);
    await runGeneration({ ...options(scriptedGenerator()), progress: tty });
    expect(tty.text).toMatch(/3\/3 personas/);
    expect(tty.text).not.toMatch(/^\[1\/3\]/m);
  });

  test("input that cannot work is refused up front", async () => {
    const model = scriptedGenerator();
    await expect(runGeneration(options(model, { seeds: [] }))).rejects.toThrow(/give seeds or a population/);
    await expect(runGeneration(options(model, { population: "x" }))).rejects.toThrow(/not both/);
    await expect(runGeneration(options(model, { personas: 4 }))).rejects.toThrow(/4 personas asked for, but there are only 3 seeds/);
    await expect(runGeneration(options(model, { categories: fixtureCategories().slice(0, 2) }))).rejects.toThrow(
      /2 scene categories for 3 common scenes per persona/,
    );
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});
