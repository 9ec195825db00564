import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { startMockOpenAIServer, type MockOpenAIServer } from "../../src/testing/mockOpenAIServer.js";
import { ruleBasedHandler } from "../helpers/ruleBasedModelServer.js";
import { freePort } from "../studio/devServerProcess.js";

/**
 * Follows the README's install-and-run steps as written, with a mock
 * OpenAI-compatible model behind OPENAI_BASE_URL:
 * - "Quick start" and "LangGraph Studio" in a fresh checkout (a git repository
 *   made from the working tree's tracked and unignored files), which then must
 *   be unchanged (`git status` clean);
 * - "Use it in your LangGraph app" in an empty folder, with the tarball
 *   `npm pack` makes in place of `/path/to/langgraph-persona-0.1.0.tgz`.
 * The only other substitutions: the Studio port (a free one instead of 2025).
 * Packages come from npm's cache first (npm_config_prefer_offline), the
 * registry for what it lacks; install scripts run, as for a user.
 */
const ROOT = join(__dirname, "..", "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const TARBALL_IN_README = "/path/to/langgraph-persona-0.1.0.tgz";
jest.setTimeout(900_000);

interface Block {
  line: number;
  language: string;
  code: string;
}

/** The fenced blocks under the heading `title`, up to the next heading of any level. */
function sectionBlocks(markdown: string, title: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  let inSection = false;
  for (let index = 0; index < lines.length; index++) {
    const heading = /^#{1,6} (.*)$/.exec(lines[index]);
    if (heading) {
      if (inSection) break;
      inSection = heading[1].trim() === title;
      continue;
    }
    const open = /^```(\S*)/.exec(lines[index]);
    if (!open) continue;
    const start = index;
    const body: string[] = [];
    while (++index < lines.length && !/^```\s*$/.test(lines[index])) body.push(lines[index]);
    if (inSection) blocks.push({ line: start + 1, language: open[1], code: body.join("\n") });
  }
  if (!inSection && blocks.length === 0) throw new Error(`README.md has no section "${title}"`);
  return blocks;
}

/** `text` with `from` replaced by `to`; fails when the README no longer contains `from`. */
function substitute(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`README step no longer contains "${from}":\n${text}`);
  return text.split(from).join(to);
}

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
let work: string;
let checkout: string;
let tarball: string;
let model: MockOpenAIServer;
let env: NodeJS.ProcessEnv;
let installedCheckout: Promise<Step>;
let appSteps: Promise<{ app: string; ran: string[]; output: string }>;
const started = Date.now();

interface Step {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a README shell block with bash (-e: the first failing command fails the step). */
function runShell(script: string, cwd: string, input = ""): Promise<Step> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-e", "-c", script], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

function expectSucceeded(step: Step, what: string): void {
  if (step.code !== 0) throw new Error(`${what} exited ${step.code}:\n${step.stdout}\n${step.stderr}`);
}

const git = (args: string[], cwd: string) => execFileSync("git", ["-c", "user.name=readme", "-c", "user.email=readme@example.invalid", ...args], { cwd, encoding: "utf8" });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "persona-readme-steps-"));
  model = await startMockOpenAIServer(ruleBasedHandler);
  env = {
    ...process.env,
    OPENAI_BASE_URL: model.url,
    npm_config_prefer_offline: "true",
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
  };
  delete env.PERSONA_MODEL;
  delete env.PERSONA_DB;
  // A fresh checkout of the working tree as it is (committed or not).
  checkout = join(work, "checkout");
  mkdirSync(checkout);
  const files = git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT).split("\0").filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(checkout, file)), { recursive: true });
    cpSync(join(ROOT, file), join(checkout, file));
  }
  git(["init", "-q"], checkout);
  git(["add", "-A"], checkout);
  git(["commit", "-q", "-m", "checkout"], checkout);
  // --ignore-scripts: `prepare` would rebuild dist/ here if stale, under the feet of other tests.
  const [packed] = JSON.parse(
    execFileSync(NPM, ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: ROOT, encoding: "utf8", env }),
  ) as Array<{ filename: string }>;
  tarball = join(work, packed.filename);
  // The two installs (each compiles better-sqlite3) run side by side; each test awaits its own.
  const [quickStart] = sectionBlocks(readme, "Quick start");
  // The block as written; the chat reads one message from stdin (piped, not a terminal).
  installedCheckout = runShell(quickStart.code, checkout, "my name is Alice\n");
  appSteps = followAppSteps();
  // Failures surface in the tests that await these.
  installedCheckout.catch(() => undefined);
  appSteps.catch(() => undefined);
});

afterAll(async () => {
  await model?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  console.log(`README steps (fresh checkout, empty app folder, Studio): ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

/** Follows the app steps in an empty folder; returns what ran and what the last step printed. */
async function followAppSteps(): Promise<{ app: string; ran: string[]; output: string }> {
  const blocks = sectionBlocks(readme, "Use it in your LangGraph app");
  const app = join(work, "my-app");
  mkdirSync(app);
  let output = "";
  const ran: string[] = [];
  for (let index = 0; index < blocks.length; index++) {
    const block = blocks[index];
    if (block.language === "bash") {
      const script = block.code.includes(TARBALL_IN_README) ? substitute(block.code, TARBALL_IN_README, tarball) : block.code;
      const step = await runShell(script, app);
      expectSucceeded(step, `README line ${block.line}`);
      output = step.stdout;
      ran.push(`bash:${block.line}`);
    } else if (block.language === "js") {
      // The next shell block runs it: `node <file>`.
      const runner = blocks.slice(index + 1).find((next) => next.language === "bash");
      const file = runner && /\bnode (\S+\.m?js)\b/.exec(runner.code)?.[1];
      if (!file) throw new Error(`README line ${block.line}: no "node <file>.js" step after the app`);
      writeFileSync(join(app, file), `${block.code}\n`);
      ran.push(`js:${block.line}`);
    }
  }
  return { app, ran, output };
}

describe("README steps, as written", () => {
  test("Quick start in a fresh checkout: npm ci builds once, npm start chats, the checkout stays clean", async () => {
    const [quickStart, tests] = sectionBlocks(readme, "Quick start");
    expect([quickStart.language, tests.language]).toEqual(["bash", "bash"]);
    const step = await installedCheckout;
    expectSucceeded(step, `README line ${quickStart.line}`);
    // No persona yet: the mock greets by a name only once one is learned.
    expect(step.stdout).toContain("Hello! You said: my name is Alice");
    // prepare built dist/ during npm ci; npm start found it fresh.
    expect(step.stderr).toContain("building dist/ (dist/index.js is missing)");
    expect(step.stderr.match(/building dist\//g)).toHaveLength(1);
    expect(git(["status", "--porcelain"], checkout)).toBe("");
  });

  test("npm start and npm test build only when src/ is newer than the last build", async () => {
    await installedCheckout;
    const check = () => runShell("node scripts/build-if-stale.mjs --check", checkout);
    expect((await check()).stdout.trim()).toBe("fresh");
    const fresh = await runShell("npm test -- tests/schema/fields.test.ts", checkout);
    expectSucceeded(fresh, "npm test (fresh)");
    expect(fresh.stderr).not.toContain("building dist/");
    // An edit: a modification time after the last build (content unchanged).
    const now = new Date();
    utimesSync(join(checkout, "src", "index.ts"), now, now);
    const stale = await check();
    expect([stale.code, stale.stdout.trim()]).toEqual([1, "stale: src/index.ts changed since the last build"]);
    const rebuilt = await runShell("npm test -- tests/schema/fields.test.ts", checkout);
    expectSucceeded(rebuilt, "npm test (stale)");
    expect(rebuilt.stderr).toContain("building dist/ (src/index.ts changed since the last build)");
    expect((await check()).stdout.trim()).toBe("fresh");
    expect(git(["status", "--porcelain"], checkout)).toBe("");
  });

  test("Use it in your LangGraph app: install and app.js in an empty folder", async () => {
    const { app, ran, output } = await appSteps;
    expect(ran.length).toBeGreaterThanOrEqual(3);
    const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
    expect(manifest.type).toBe("module");
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@langchain/core", "@langchain/langgraph", "@langchain/openai", "langgraph-persona"]);
    // Second session's reply, then the persona learned from the first.
    expect(output).toContain("Hello Alice! You said: Suggest a poem for my class.");
    expect(output).toMatch(/Name: ['"]Alice['"]/);
  });

  test("LangGraph Studio in the fresh checkout: npm run dev serves the graphs, the SDK example runs", async () => {
    await installedCheckout;
    const blocks = sectionBlocks(readme, "LangGraph Studio");
    const start = blocks.find((block) => block.language === "bash" && block.code.includes("npm run dev"));
    const sdk = blocks.find((block) => block.language === "ts" && block.code.includes("@langchain/langgraph-sdk"));
    if (!start || !sdk) throw new Error("README's LangGraph Studio section lacks the `npm run dev` or the SDK block");
    const port = await freePort();
    const stateDir = join(work, "studio-state");
    const server: ChildProcess = spawn("bash", ["-e", "-c", substitute(start.code, "--port 2025", `--port ${port}`)], {
      cwd: checkout,
      env: { ...env, LANGGRAPH_STATE_DIR: stateDir },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let log = "";
    server.stdout!.on("data", (chunk) => (log += chunk));
    server.stderr!.on("data", (chunk) => (log += chunk));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm run dev: no "ready" within 240 s:\n${log}`)), 240_000);
        const poll = setInterval(() => {
          const ready = /^ready (\S+)/m.exec(log);
          if (ready) {
            clearInterval(poll);
            clearTimeout(timer);
            resolve(ready[1]);
          }
        }, 200);
        server.once("exit", (code) => {
          clearInterval(poll);
          clearTimeout(timer);
          reject(new Error(`npm run dev exited ${code} before ready:\n${log}`));
        });
      });
      expect(url).toBe(`http://127.0.0.1:${port}`);
      // The SDK example as written (its server address aside), run from the checkout, which has the SDK.
      const code = `${substitute(sdk.code, "http://127.0.0.1:2025", url)}\nconsole.log(JSON.stringify(state));\n`;
      const { outputText } = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
      const script = join(checkout, "readme-sdk-example.mjs");
      writeFileSync(script, outputText);
      try {
        const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: checkout, env, encoding: "utf8", timeout: 120_000 });
        const state = JSON.parse(stdout.trim().split("\n").at(-1)!) as { messages: Array<{ content: string }> };
        expect(state.messages.at(-1)?.content).toBe("Hello! You said: Hi, my name is Alice.");
      } finally {
        rmSync(script, { force: true });
      }
    } finally {
      if (server.pid) {
        try {
          process.kill(-server.pid, "SIGTERM");
        } catch {
          // already gone
        }
        await new Promise((resolve) => (server.exitCode !== null || server.signalCode !== null ? resolve(undefined) : server.once("exit", resolve)));
      }
    }
    expect(git(["status", "--porcelain"], checkout)).toBe("");
  });
});
