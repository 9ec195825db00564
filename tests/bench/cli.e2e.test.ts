import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { mockBenchHandler } from "../../src/bench/mockBenchHandler.js";
import { contentText, startMockOpenAIServer, type MockOpenAIServer } from "../../src/testing/mockOpenAIServer.js";

const CLI = resolve(__dirname, "../../dist/cli/main.js");
const FIXTURE = resolve(__dirname, "../../fixtures/personabench-mini");

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
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

describe("persona bench end to end: the built CLI against OpenAI-compatible HTTP servers", () => {
  let server: MockOpenAIServer;
  let judgeServer: MockOpenAIServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
    server = await startMockOpenAIServer(mockBenchHandler);
    judgeServer = await startMockOpenAIServer(mockBenchHandler);
    dir = mkdtempSync(join(tmpdir(), "persona-bench-cli-"));
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("BENCH_") && !key.startsWith("OPENAI_") && key !== "PERSONA_MODEL"),
    );
    env = { ...clean, OPENAI_BASE_URL: server.url, BENCH_JUDGE_BASE_URL: judgeServer.url, BENCH_JUDGE_MODEL: "judge-model" };
  });

  afterAll(async () => {
    await server?.close();
    await judgeServer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const args = (out: string) => [
    "bench", "--data", FIXTURE, "--out", out, "--conditions", "none,golden,learning:1,rag",
    "--scenes", "4", "--concurrency", "2", "--user-model", "user-model",
  ];

  it("runs, writes the report and charts, routes each role to its endpoint, and resumes", async () => {
    const out = join(dir, "run");
    const first = await runCli(args(out), env);
    expect(first.stderr).not.toMatch(/persona: /);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^\| condition \| personas \| scenes \| turns \/ scene/);
    expect(first.stdout).toMatch(/\| golden \| 2 \| 8 \| 1\.00 \|/);
    expect(first.stdout).toContain("32 scenes run, 0 already done, 0 failures");
    // Not a terminal: plain progress lines.
    expect(first.stderr).toMatch(/^\[1\/32\] /m);
    expect(first.stderr).toMatch(/^\[32\/32\] /m);
    expect(first.stderr).not.toContain("\r");
    expect(readdirSync(out).sort()).toEqual([
      "data-problems.txt", "report.md", "results.jsonl", "run.json", "state.sqlite", "summary.json",
      "turns-by-scene.png", "turns-by-scene.svg", "win-rate-by-group.png", "win-rate-by-group.svg",
    ]);
    const report = readFileSync(join(out, "report.md"), "utf8");
    expect(report).toContain("| judge | judge-model | " + judgeServer.url + " |");
    expect(report).toContain("| user | user-model | " + server.url + " |");

    // Judges went to the judge endpoint only, the other roles to the default one.
    const firstText = (r: { messages: Array<{ content: unknown }> }) => contentText(r.messages[0]?.content);
    expect(judgeServer.requests.length).toBeGreaterThan(0);
    expect(judgeServer.requests.every((r) => /^You (grade|compare)/.test(firstText(r)) && r.model === "judge-model")).toBe(true);
    expect(server.requests.some((r) => /^You (grade|compare)/.test(firstText(r)))).toBe(false);
    expect(server.requests.filter((r) => firstText(r).startsWith("You play a real person")).every((r) => r.model === "user-model")).toBe(true);
    expect(server.requests.some((r) => r.tools?.some((t) => t.function.name === "getMarineForecast"))).toBe(true);

    const before = server.requests.length;
    const second = await runCli(args(out), env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("0 scenes run, 32 already done, 0 failures");
    expect(server.requests.length).toBe(before);
  });

  it("the shipped fixture is found with --data mini", async () => {
    const out = join(dir, "mini");
    const result = await runCli(["bench", "--data", "mini", "--out", out, "--conditions", "golden", "--personas", "1", "--scenes", "1", "--no-judge"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("1 scenes run");
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("Judging was off");
  });

  it("fails before writing anything when a role has no endpoint, and rejects bad flags", async () => {
    const out = join(dir, "none");
    const { OPENAI_BASE_URL: _url, ...noDefault } = env;
    const missing = await runCli(["bench", "--data", FIXTURE, "--out", out], noDefault);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no endpoint for the chatbot model: set BENCH_CHATBOT_BASE_URL or OPENAI_BASE_URL/);
    expect(existsSync(out)).toBe(false);

    const bad = await runCli(["bench", "--data", FIXTURE, "--conditions", "learning:0"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--conditions: unknown condition "learning:0"/);
    const noData = await runCli(["bench"], env);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/--data <dir> is required/);
  });
});
