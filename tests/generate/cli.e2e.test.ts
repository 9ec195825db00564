import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPersonaBench } from "../../src/bench.js";
import { mockGenerateHandler } from "../../src/generate.js";
import { startMockOpenAIServer, type MockHandler, type MockOpenAIServer } from "../../src/testing/index.js";
import { assertCliBuilt, BUILT_CLI } from "../helpers/runBuiltCli.js";
import { CAPABILITY_FILE, CATEGORY_FILE, SEED_FILE } from "./helpers/fixtures.js";

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI; `signalAfter` sends a signal once that many personas are reported finished. */
function runCli(args: string[], env: NodeJS.ProcessEnv, signalAfter?: { personas: number; signal: NodeJS.Signals }): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let signalled = false;
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const done = (stderr.match(/^\[\d+\/\d+\] /gm) ?? []).length;
      if (signalAfter && !signalled && done >= signalAfter.personas) {
        signalled = true;
        child.kill(signalAfter.signal);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/**
 * Plays the generator and checker (by their tools), and every `persona bench`
 * role otherwise with one JSON reply: a satisfied simulated user, a tool
 * result, and (as text) the chatbot's answer.
 */
const playsEveryRole: MockHandler = (request) => {
  if (request.tools?.some((tool) => tool.function.name.startsWith("submit_"))) return mockGenerateHandler(request);
  return { content: JSON.stringify({ satisfied: true, reason: "it fits", message: "", status: "ok", result: "done" }) };
};

describe("persona generate end to end: the built CLI against an OpenAI-compatible HTTP server", () => {
  let server: MockOpenAIServer;
  let slow: MockOpenAIServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    assertCliBuilt();
    server = await startMockOpenAIServer(playsEveryRole);
    // A slower endpoint, so signals arrive while personas are in flight.
    slow = await startMockOpenAIServer(async (request) => {
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 10));
      return playsEveryRole(request);
    });
    dir = mkdtempSync(join(tmpdir(), "persona-generate-cli-"));
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(BENCH_|GENERATE_|OPENAI_)/.test(key) && key !== "PERSONA_MODEL"),
    );
    env = { ...clean, OPENAI_BASE_URL: server.url };
  });

  afterAll(async () => {
    await server?.close();
    await slow?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const seedArgs = (out: string) => [
    "generate", "--seeds", SEED_FILE, "--categories", CATEGORY_FILE, "--capabilities", CAPABILITY_FILE,
    "--out", out, "--scenes", "5", "--language", "en",
  ];

  it("generates a folder that loads with 0 problems and that persona bench runs on; each role goes to its endpoint", async () => {
    const checker = await startMockOpenAIServer(playsEveryRole);
    try {
      const out = join(dir, "run");
      const first = await runCli(
        [...seedArgs(out), "--concurrency", "2", "--generator-model", "writer-model", "--checker-model", "review-model"],
        { ...env, GENERATE_CHECKER_BASE_URL: checker.url },
      );
      expect(first.stderr).not.toMatch(/persona: /);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain("3 personas written (3 now, 0 done before), 0 dropped, 0 failed; 15 scenes");
      expect(first.stdout).toContain("loader check: 0 problems");
      // Not a terminal: plain progress lines.
      expect(first.stderr).toMatch(/^\[1\/3\] \S+\.json: 5 scenes/m);
      expect(first.stderr).toMatch(/^\[3\/3\] /m);
      expect(first.stderr).not.toContain("\r");
      expect(readdirSync(out).sort()).toEqual(["Aiko.json", "Marta.json", "Tomasz.json", "generation-log.jsonl", "generation-report.md"]);
      const loaded = loadPersonaBench(out);
      expect(loaded.problems).toEqual([]);
      expect(loaded.personas.every((persona) => persona.scenes.length === 5)).toBe(true);
      // Scenes without APIs first, as in the release.
      expect(loaded.personas[0].scenes.map((scene) => scene.apis.length > 0)).toEqual([false, false, true, true, true]);

      // Every request was a forced tool call; the checker's went to its own endpoint and model.
      const generatorRequests = server.requests.filter((r) => r.tools?.[0]?.function.name.startsWith("submit_"));
      expect(generatorRequests.length).toBeGreaterThan(0);
      expect(generatorRequests.every((r) => r.model === "writer-model" && r.tool_choice && r.tools!.length === 1)).toBe(true);
      expect(generatorRequests.some((r) => r.tools![0].function.name === "submit_scene_check")).toBe(false);
      expect(checker.requests.length).toBeGreaterThan(0);
      expect(checker.requests.every((r) => r.tools?.[0]?.function.name === "submit_scene_check" && r.model === "review-model")).toBe(true);
      expect(checker.requests.every((r) => r.temperature === 0)).toBe(true);

      const report = readFileSync(join(out, "generation-report.md"), "utf8");
      expect(report).toContain("| generator | writer-model | " + server.url + " |");
      expect(report).toContain("| checker | review-model | " + checker.url + " |");
      expect(report).toMatch(/\| filter_refine \| unanswerable \| 3 \|/);
      expect(report).toMatch(/\| checker \| filter_refine \| \d+ \| [1-9]\d* \| [1-9]\d* \| 0 \|/);

      // A rerun has nothing to do.
      const before = server.requests.length;
      const again = await runCli([...seedArgs(out), "--generator-model", "writer-model", "--checker-model", "review-model"], {
        ...env,
        GENERATE_CHECKER_BASE_URL: checker.url,
      });
      expect(again.code).toBe(0);
      expect(again.stdout).toContain("3 personas written (0 now, 3 done before)");
      expect(server.requests.length).toBe(before);

      // persona bench reads the folder as it is.
      const benchOut = join(dir, "bench");
      const bench = await runCli(["bench", "--data", out, "--out", benchOut, "--conditions", "golden", "--no-judge", "--scenes", "2"], env);
      expect(bench.stderr).not.toMatch(/persona: /);
      expect(bench.code).toBe(0);
      expect(bench.stdout).toContain("6 scenes run, 0 already done, 0 failures");
      expect(readFileSync(join(benchOut, "data-problems.txt"), "utf8")).toBe("");
    } finally {
      await checker.close();
    }
  });

  it("Ctrl-C finishes the persona in flight and reports; a kill -9 loses at most the personas in flight; reruns complete", async () => {
    const out = join(dir, "interrupted");
    const slowEnv = { ...env, OPENAI_BASE_URL: slow.url };
    const args = [...seedArgs(out), "--concurrency", "1"];
    const interrupted = await runCli(args, slowEnv, { personas: 1, signal: "SIGINT" });
    expect(interrupted.stderr).toContain("stopping after the personas in flight");
    expect(interrupted.code).toBe(1);
    expect(interrupted.stdout).toContain("(interrupted: rerun the same command to continue)");
    expect(interrupted.stderr).toMatch(/persona: interrupted: rerun the same command to continue/);
    const afterInterrupt = readdirSync(out).filter((name) => name.endsWith(".json")).length;
    expect(afterInterrupt).toBeGreaterThanOrEqual(1);
    expect(afterInterrupt).toBeLessThan(3);
    expect(readFileSync(join(out, "generation-report.md"), "utf8")).toContain("**Interrupted**");
    expect(loadPersonaBench(out).problems).toEqual([]);

    // Start over in a fresh folder for the kill, so at least one persona is in flight when it lands.
    const killedOut = join(dir, "killed");
    const killArgs = [...seedArgs(killedOut), "--concurrency", "2"];
    const killed = await runCli(killArgs, slowEnv, { personas: 1, signal: "SIGKILL" });
    expect(killed.code).toBeNull();
    const survived = readdirSync(killedOut).filter((name) => name.endsWith(".json"));
    expect(survived.length).toBeGreaterThanOrEqual(1);
    expect(survived.length).toBeLessThan(3);
    expect(loadPersonaBench(killedOut).problems).toEqual([]);

    for (const [folder, folderArgs, done] of [
      [out, args, afterInterrupt],
      [killedOut, killArgs, survived.length],
    ] as const) {
      const finished = await runCli(folderArgs, slowEnv);
      expect(finished.code).toBe(0);
      expect(finished.stdout).toContain(`3 personas written (${3 - done} now, ${done} done before), 0 dropped, 0 failed`);
      expect(readdirSync(folder).filter((name) => name.endsWith(".json")).sort()).toEqual(["Aiko.json", "Marta.json", "Tomasz.json"]);
      expect(readdirSync(folder).filter((name) => name.includes(".tmp-"))).toEqual([]);
      const slots = readFileSync(join(folder, "generation-log.jsonl"), "utf8")
        .split("\n")
        .filter((line) => line.startsWith('{"type":"persona"'))
        .map((line) => (JSON.parse(line) as { slot: number }).slot);
      expect(slots.sort()).toEqual([0, 1, 2]);
      expect(loadPersonaBench(folder).problems).toEqual([]);
    }
  });

  it("from a population: categories and seeds come from the model", async () => {
    const out = join(dir, "population");
    const result = await runCli(["generate", "--population", "night-shift nurses in Lyon", "--personas", "2", "--scenes", "3", "--language", "fr", "--out", out], env);
    expect(result.stderr).not.toMatch(/persona: /);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("2 personas written (2 now, 0 done before)");
    expect(loadPersonaBench(out).problems).toEqual([]);
    expect(readFileSync(join(out, "generation-report.md"), "utf8")).toMatch(/\| seed \| categories_generated \| \d+ \|/);
  });

  it("bad flags and missing endpoints fail before anything is written, saying what to do", async () => {
    const out = join(dir, "none");
    const cases: Array<[string[], NodeJS.ProcessEnv, number, RegExp]> = [
      [["generate", "--out", out], env, 2, /--seeds <file> .* or --population .* is required/],
      [["generate", "--seeds", SEED_FILE, "--population", "x", "--out", out], env, 2, /not both/],
      [["generate", "--population", "x"], env, 2, /--out <dir> is required/],
      [["generate", "--population", "x", "--out", out, "--language", "elvish"], env, 2, /--language: unknown language code "elvish"/],
      [["generate", "--seeds", join(dir, "missing.json"), "--out", out], env, 2, /--seeds: no file at/],
      [["generate", "--seeds", CATEGORY_FILE, "--out", out], env, 2, /seed file .* seeds are not usable/],
      [["generate", "--population", "x", "--out", out, "--max-persona-similarity", "2"], env, 2, /--max-persona-similarity must be a number from 0 to 1/],
      [["generate", "--population", "x", "--out", out], { ...env, OPENAI_BASE_URL: "" }, 1, /no endpoint for the generator model: set GENERATE_GENERATOR_BASE_URL or OPENAI_BASE_URL/],
    ];
    for (const [args, runEnv, code, message] of cases) {
      const result = await runCli(args, runEnv);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });
});
