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

/** Runs the built CLI; `signalAfter` sends a signal once that many scenes have been reported done. */
function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  signalAfter?: { scenes: number; signal: NodeJS.Signals },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let signalled = false;
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const done = (stderr.match(/^\[\d+\/\d+\] /gm) ?? []).length;
      if (signalAfter && !signalled && done >= signalAfter.scenes) {
        signalled = true;
        child.kill(signalAfter.signal);
      }
    });
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

  it("Ctrl-C finishes the scenes in flight and writes the report; a kill -9 loses at most the scenes in flight; reruns complete", async () => {
    const out = join(dir, "interrupted");
    // A slower endpoint, so signals arrive while scenes are still running.
    const slow = await startMockOpenAIServer(async (request) => {
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 25));
      return mockBenchHandler(request);
    });
    try {
      const slowEnv = { ...env, OPENAI_BASE_URL: slow.url };
      const bench = ["bench", "--data", FIXTURE, "--out", out, "--conditions", "none,learning:3", "--no-judge", "--concurrency", "2"];
      const interrupted = await runCli(bench, slowEnv, { scenes: 3, signal: "SIGINT" });
      expect(interrupted.stderr).toContain("stopping after the scenes in flight");
      expect(interrupted.code).toBe(1);
      expect(interrupted.stdout).toContain("(interrupted: rerun the same command to continue)");
      expect(existsSync(join(out, "report.md"))).toBe(true);
      const afterInterrupt = Number(/(\d+) scenes run/.exec(interrupted.stdout)![1]);
      expect(afterInterrupt).toBeGreaterThanOrEqual(3);
      expect(afterInterrupt).toBeLessThan(22);

      const killed = await runCli(bench, slowEnv, { scenes: 3, signal: "SIGKILL" });
      expect(killed.code).toBeNull();
      const sceneLines = () =>
        readFileSync(join(out, "results.jsonl"), "utf8")
          .split("\n")
          .filter((line) => line.startsWith('{"type":"scene"'));
      const recorded = sceneLines().length;
      expect(recorded).toBeGreaterThanOrEqual(afterInterrupt + 3);
      expect(recorded).toBeLessThan(22);

      const finished = await runCli(bench, slowEnv);
      expect(finished.code).toBe(0);
      expect(finished.stdout).toContain(`${22 - recorded} scenes run, ${recorded} already done, 0 failures`);
      const keys = sceneLines().map((line) => {
        const scene = JSON.parse(line) as { condition: string; personaId: string; sceneIndex: number };
        return `${scene.condition}/${scene.personaId}/${scene.sceneIndex}`;
      });
      expect(keys).toHaveLength(22);
      expect(new Set(keys).size).toBe(22);
    } finally {
      await slow.close();
    }
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
