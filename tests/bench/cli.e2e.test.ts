import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { mockBenchHandler } from "../../src/bench.js";
import { contentText, startMockOpenAIServer, type MockOpenAIServer } from "../../src/testing/index.js";

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

  const firstText = (r: { messages: Array<{ content: unknown }> }) => contentText(r.messages[0]?.content);

  it("runs, writes the report and charts, routes each role to its endpoint, and resumes", async () => {
    const out = join(dir, "run");
    const first = await runCli(args(out), env);
    expect(first.stderr).not.toMatch(/persona: /);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^condition\s+personas\s+scenes\s+turns \/ scene ↓\s+satisfied/);
    expect(first.stdout).toMatch(/^golden\s+2\s+8\/8\s+1\.00 \[1\.00, 1\.00\]\s+100% \[100%, 100%\]\s+8\.00 \[8\.00, 8\.00\]/m);
    expect(first.stdout).not.toContain("*");
    expect(first.stdout).toContain("32 scenes run, 0 already done, 0 failures");
    // Not a terminal: plain progress lines.
    expect(first.stderr).toMatch(/^\[1\/32\] /m);
    expect(first.stderr).toMatch(/^\[32\/32\] /m);
    expect(first.stderr).not.toContain("\r");
    expect(readdirSync(out).sort()).toEqual([
      "cost-by-condition.png", "cost-by-condition.svg", "cost-by-condition.vl.json", "data-problems.txt", "report.md", "results.jsonl", "run.json",
      "similarity-by-group.png", "similarity-by-group.svg", "similarity-by-group.vl.json", "state.sqlite", "summary.json",
      "turns-by-scene.png", "turns-by-scene.svg", "turns-by-scene.vl.json", "win-rate-by-group.png", "win-rate-by-group.svg", "win-rate-by-group.vl.json",
    ]);
    const report = readFileSync(join(out, "report.md"), "utf8");
    expect(report).toContain("| judge | judge-model | " + judgeServer.url + " | 0 |");
    expect(report).toContain("| user | user-model | " + server.url + " | endpoint default |");

    // Judges went to the judge endpoint only, the other roles to the default one.
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

    // --report-only rebuilds the same figures with no endpoint at all.
    const { OPENAI_BASE_URL: _u, BENCH_JUDGE_BASE_URL: _j, ...offline } = env;
    const rebuilt = await runCli(["bench", "--report-only", "--out", out], offline);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toContain("report rebuilt without any endpoint");
    expect(rebuilt.stdout.split("\n").filter((l) => l.startsWith("golden"))).toEqual(first.stdout.split("\n").filter((l) => l.startsWith("golden")));
    expect(server.requests.length).toBe(before);
  });

  it("--dry-run prints the calls and tokens the run would need and calls nothing", async () => {
    const before = server.requests.length;
    const dry = await runCli(["bench", "--data", FIXTURE, "--conditions", "none,golden,learning:3", "--dry-run", "--out", join(dir, "dry")], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^dry run: 2 personas, 11 scenes, conditions none,golden,learning:3, repeats 1; no model is called/);
    expect(dry.stdout).toContain("judge calls: 33 first-reply, 2 similarity, 22 pairwise (both orders)");
    expect(dry.stdout).toMatch(/tokens at 2 turns\/scene: about [\d,]+ prompt, [\d,]+ completion/);
    expect(existsSync(join(dir, "dry"))).toBe(false);
    expect(server.requests.length).toBe(before);
  });

  it("a learner endpoint answering HTTP 500: exits 1, and the console, report and summary say so", async () => {
    const broken = await startMockOpenAIServer((request) =>
      request.tools?.some((t) => t.function.name === "update_persona") ? { status: 500, content: "boom" } : mockBenchHandler(request),
    );
    try {
      const out = join(dir, "learner-500");
      const result = await runCli(
        ["bench", "--data", FIXTURE, "--out", out, "--conditions", "golden,learning:1", "--scenes", "3", "--max-retries", "0"],
        { ...env, OPENAI_BASE_URL: broken.url, BENCH_JUDGE_BASE_URL: broken.url },
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^learning:1 .*\*$/m);
      expect(result.stdout).toMatch(/learning:1: learner failure rate 100% \((\d+) of \1 calls\) is above 5%/);
      expect(result.stderr).toMatch(/failure or unreadable rate above 5% for learner \(learning:1\)/);
      const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
      const learning = summary.conditions.find((c: { condition: string }) => c.condition === "learning:1");
      expect(learning.learning.failed).toBe(learning.learning.runs);
      expect(learning.learning.applied).toBe(0);
      expect(learning.similarity.judged).toBe(2);
      const report = readFileSync(join(out, "report.md"), "utf8");
      expect(report).toContain("## Learning");
      expect(report).toMatch(/learner: \d+ of \d+ calls failed/);
      expect(broken.requests.filter((r) => firstText(r).startsWith("You compare a persona"))).toHaveLength(2);
    } finally {
      await broken.close();
    }
  });

  it("unreadable simulated-user and judge replies: exits 1 with no figure shown as a result", async () => {
    const garbled = await startMockOpenAIServer((request) => {
      const first = contentText(request.messages[0]?.content);
      return /^You (play a real person|grade|compare)/.test(first) ? { content: "hmm, hard to say" } : mockBenchHandler(request);
    });
    try {
      const out = join(dir, "garbled");
      const result = await runCli(["bench", "--data", FIXTURE, "--out", out, "--conditions", "none,golden", "--scenes", "2"], {
        ...env,
        OPENAI_BASE_URL: garbled.url,
        BENCH_JUDGE_BASE_URL: garbled.url,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^none\s+2\s+4\/4\s+–\*\s+–\*\s+–\*\s+–\*\s+–\s+–$/m);
      expect(result.stdout).toContain("none: user unreadable rate 100% (4 of 4 replies) is above 5%");
      expect(result.stdout).toContain("golden: judge unreadable rate 100% (4 of 4 replies) is above 5%");
      expect(readFileSync(join(out, "report.md"), "utf8")).not.toMatch(/satisfied.*0%/);
    } finally {
      await garbled.close();
    }
  });

  it("--protocol release: the simulated user runs at temperature 0.9, the chatbot sees the scene, three replies at most", async () => {
    const out = join(dir, "release");
    const start = server.requests.length;
    const result = await runCli(["bench", "--data", FIXTURE, "--out", out, "--conditions", "golden,learning:3", "--protocol", "release", "--no-judge"], env);
    expect(result.code).toBe(0);
    const requests = server.requests.slice(start);
    const user = requests.filter((r) => firstText(r).startsWith("You play a real person"));
    expect(user.length).toBeGreaterThan(0);
    expect(user.every((r) => r.temperature === 0.9 && firstText(r).includes("For reference only"))).toBe(true);
    expect(requests.filter((r) => r.tools?.some((t) => t.function.name === "update_persona"))).toHaveLength(7);
    const chatbot = requests.filter((r) => r.messages[0]?.role === "system" && firstText(r).startsWith("You are a helpful assistant"));
    expect(chatbot.length).toBeGreaterThan(0);
    expect(chatbot.every((r) => firstText(r).includes("<scene>") && firstText(r).includes("APIs available in this scene"))).toBe(true);
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("Protocol: `release`. Turn cap: 3.");
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("| user | gpt-4o-mini | " + server.url + " | 0.9 |");
    const bad = await runCli(["bench", "--data", FIXTURE, "--protocol", "release", "--turns", "5"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--turns 5: the release protocol's learner reads at most 9 messages a session; use --turns 4 or fewer/);
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
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("no data: judging was off (--no-judge)");
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
