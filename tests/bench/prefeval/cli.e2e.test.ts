import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { mockBenchHandler } from "../../../src/bench.js";
import { contentText, startMockOpenAIServer, type MockOpenAIServer } from "../../../src/testing/index.js";
import { decodePng } from "../helpers/png.js";
import { FIXTURE } from "./helpers.js";

const CLI = resolve(__dirname, "../../../dist/cli/main.js");

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const firstText = (r: { messages: Array<{ content: unknown }> }) => contentText(r.messages[0]?.content);
const isJudge = (r: { messages: Array<{ content: unknown }> }) => /^You check one thing about/.test(firstText(r));

describe("persona bench --suite prefeval end to end: the built CLI against OpenAI-compatible HTTP servers", () => {
  let server: MockOpenAIServer;
  let judgeServer: MockOpenAIServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
    server = await startMockOpenAIServer(mockBenchHandler);
    judgeServer = await startMockOpenAIServer(mockBenchHandler);
    dir = mkdtempSync(join(tmpdir(), "prefeval-cli-"));
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("BENCH_") && !key.startsWith("OPENAI_") && key !== "PERSONA_MODEL" && key !== "PERSONA_SEMANTIC_GUARD"),
    );
    env = { ...clean, OPENAI_BASE_URL: server.url, BENCH_JUDGE_BASE_URL: judgeServer.url, BENCH_JUDGE_MODEL: "judge-model" };
  });

  afterAll(async () => {
    await server?.close();
    await judgeServer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const args = (out: string) => ["bench", "--suite", "prefeval", "--data", FIXTURE, "--out", out, "--fillers", "0,3", "--items", "1", "--concurrency", "2"];

  it("runs every condition, writes the report and charts, routes the judge to its endpoint, resumes and rebuilds offline", async () => {
    const out = join(dir, "run");
    const first = await runCli(args(out), env);
    expect(first.stderr).not.toMatch(/persona: /);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^condition\s+runs\s+judged\s+F = 0\s+F = 3\s+all$/m);
    expect(first.stdout).toMatch(/^none\s+6\/6\s+6\s+0% \[0%, 0%\]\s+0% \[0%, 0%\]\s+0% \[0%, 0%\]$/m);
    expect(first.stdout).toMatch(/^in-context\s+12\/12\s+12\s+100% \[100%, 100%\]/m);
    expect(first.stdout).toContain("persona: the learned persona records the preference in 33% of items");
    // 6 items (one per form and topic) × (3 conditions × 2 counts + 2).
    expect(first.stdout).toContain("48 item runs, 0 already done, 0 failures");
    expect(first.stderr).toMatch(/^\[48\/48\] /m);
    expect(readdirSync(out).sort()).toEqual([
      "accuracy-by-fillers.png", "accuracy-by-fillers.svg", "accuracy-by-fillers.vl.json", "data-problems.txt",
      "error-types.png", "error-types.svg", "error-types.vl.json", "report.md", "results.jsonl", "run.json", "state.sqlite",
      "stored-personas.md", "stored-preference.png", "stored-preference.svg", "stored-preference.vl.json", "summary.json",
    ]);
    const png = decodePng(readFileSync(join(out, "accuracy-by-fillers.png")));
    expect(png.width).toBeGreaterThan(400);
    const report = readFileSync(join(out, "report.md"), "utf8");
    expect(report).toContain(`| judge | judge-model | ${judgeServer.url} | 0 |`);
    expect(report).toContain("Semantic guard: on.");
    expect(report).toMatch(/Semantic guard: 12 runs, 12 calls \(counted as learner calls\)/);

    // The judge's checks went to the judge endpoint only; the guard and the learner to the default one.
    expect(judgeServer.requests.length).toBeGreaterThan(0);
    expect(judgeServer.requests.every((r) => isJudge(r) && r.model === "judge-model")).toBe(true);
    expect(server.requests.some(isJudge)).toBe(false);
    expect(server.requests.filter((r) => r.tools?.some((t) => t.function.name === "update_persona"))).toHaveLength(12);
    expect(server.requests.filter((r) => r.tools?.some((t) => t.function.name === "record_persona_verdicts"))).toHaveLength(12);

    const before = server.requests.length + judgeServer.requests.length;
    const second = await runCli(args(out), env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("0 item runs, 48 already done, 0 failures");
    expect(server.requests.length + judgeServer.requests.length).toBe(before);

    // --report-only finds the suite from the folder and needs no endpoint.
    const { OPENAI_BASE_URL: _u, BENCH_JUDGE_BASE_URL: _j, ...offline } = env;
    const rebuilt = await runCli(["bench", "--report-only", "--out", out], offline);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toContain("report rebuilt without any endpoint");
    const rows = (text: string) => text.split("\n").filter((l) => /^(none|persona|golden)\s/.test(l));
    expect(rows(rebuilt.stdout)).toEqual(rows(first.stdout));

    // The PersonaBench suite refuses this folder.
    const other = await runCli(["bench", "--data", "mini", "--out", out, "--conditions", "none"], env);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/holds a PrefEval run \(--suite prefeval\); use another --out/);
  });

  it("--dry-run prints items per form and topic and the calls, and calls nothing", async () => {
    const before = server.requests.length;
    const dry = await runCli(["bench", "--suite", "prefeval", "--data", FIXTURE, "--dry-run", "--semantic-guard", "off", "--out", join(dir, "dry")], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^dry run \(PrefEval\): 9 items, conditions none,persona,in-context,reminder,golden, filler turns 0,5,10, semantic guard off; no model is called/);
    expect(dry.stdout).toMatch(/^choice\s+2\s+1\s+3$/m);
    expect(dry.stdout).toContain("item runs: 99 (none 9, persona 27, in-context 27, reminder 27, golden 9; none and golden once per item)");
    expect(existsSync(join(dir, "dry"))).toBe(false);
    expect(server.requests.length).toBe(before);
  });

  it("a learner endpoint answering HTTP 500: exits 1; the console, report and results say so", async () => {
    const broken = await startMockOpenAIServer((request) =>
      request.tools?.some((t) => t.function.name === "update_persona") ? { status: 500, content: "boom" } : mockBenchHandler(request),
    );
    try {
      const out = join(dir, "learner-500");
      const result = await runCli(
        ["bench", "--suite", "prefeval", "--data", FIXTURE, "--out", out, "--conditions", "none,persona", "--forms", "explicit", "--topics", "cooking", "--fillers", "0", "--max-retries", "0"],
        { ...env, OPENAI_BASE_URL: broken.url, BENCH_JUDGE_BASE_URL: broken.url },
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^persona\s+0\/2\s+0\s+–\*\s+–\*$/m);
      expect(result.stdout).toContain("persona: learner failure rate 100% (2 of 2 calls) is above 5%");
      expect(result.stderr).toMatch(/persona: 2 failures \(recorded in results\.jsonl; rerun the same command to retry them\); failure or unreadable rate above 5% for learner \(persona\)/);
      const lines = readFileSync(join(out, "results.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(lines.filter((l) => l.type === "prefeval-error").map((l) => `${l.stage} ${l.role}`)).toEqual(["learning learner", "learning learner"]);
      expect(readFileSync(join(out, "report.md"), "utf8")).toContain("- persona: 2 item runs failed:");
    } finally {
      await broken.close();
    }
  });

  it("rejects flags of the other suite, bad values and missing data with a usage error", async () => {
    const base = ["bench", "--suite", "prefeval", "--data", FIXTURE, "--out", join(dir, "bad")];
    const cases: Array<[string[], RegExp]> = [
      [[...base, "--scenes", "3"], /--scenes belongs to --suite personabench; the prefeval suite does not read it/],
      [[...base, "--conditions", "learning:3"], /--conditions: unknown condition "learning:3": use none, persona, in-context, reminder, golden/],
      [[...base, "--fillers", "0,x"], /--fillers: "x" is not a whole number of filler turns/],
      [[...base, "--forms", "implicit"], /--forms: unknown form "implicit"/],
      [[...base, "--topics", "gardening", "--dry-run"], /unknown topic gardening: the data has cooking, travel/],
      [[...base, "--topics", "gardening"], /unknown topic gardening: the data has cooking, travel/],
      [[...base, "--semantic-guard", "maybe"], /--semantic-guard must be "on" or "off"/],
      [[...base, "--user-model", "x"], /the prefeval suite has no user role/],
      [["bench", "--suite", "prefeval", "--data", "mini"], /no PrefEval data ships with the package/],
      [["bench", "--suite", "prefeval"], /--data <dir> is required: PrefEval's benchmark_dataset folder/],
      [["bench", "--suite", "other"], /--suite must be personabench or prefeval/],
      [["bench", "--data", "mini", "--fillers", "5"], /--fillers belongs to --suite prefeval/],
    ];
    for (const [argv, message] of cases) {
      const result = await runCli(argv, env);
      expect({ argv: argv.join(" "), code: result.code }).toEqual({ argv: argv.join(" "), code: 2 });
      expect(result.stderr).toMatch(message);
    }
    const tooMany = await runCli([...base, "--fillers", "6"], env);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/--fillers 6 needs 6 filler exchanges, the data has 5; use filler counts up to 5/);
    expect(existsSync(join(dir, "bad"))).toBe(false);
  });
});
