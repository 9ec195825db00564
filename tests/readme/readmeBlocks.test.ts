import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { startMockOpenAIServer, type MockOpenAIServer } from "../../src/testing/mockOpenAIServer.js";
import { ruleBasedHandler } from "../helpers/ruleBasedModelServer.js";

/**
 * Every TypeScript/JavaScript block of README.md runs here, so the docs cannot
 * drift from the code (tests/readme/readmeSteps.test.ts follows the install
 * steps themselves, in a fresh checkout and an empty app folder). Convention: a block whose info string carries `no-run`
 * (```ts no-run) is shown but not run; shell, text and JSON blocks are not run.
 * Runnable blocks are type-checked together, then each runs as its own ES
 * module in an empty folder, importing the built package by its name (as an
 * installed dependency would resolve), with a mock OpenAI-compatible model
 * behind OPENAI_BASE_URL.
 */
const ROOT = join(__dirname, "..", "..");
const RUNNABLE = new Set(["ts", "typescript", "js", "javascript", "mjs"]);
jest.setTimeout(180_000);

interface Block {
  line: number;
  language: string;
  attributes: string[];
  code: string;
}

function readmeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[index]);
    if (!open) continue;
    const start = index;
    const body: string[] = [];
    while (++index < lines.length && !/^```\s*$/.test(lines[index])) body.push(lines[index]);
    blocks.push({ line: start + 1, language: open[1], attributes: open[2].split(/\s+/).filter(Boolean), code: body.join("\n") });
  }
  return blocks;
}

const blocks = readmeBlocks(readFileSync(join(ROOT, "README.md"), "utf8"));
const runnable = blocks.filter((block) => RUNNABLE.has(block.language) && !block.attributes.includes("no-run"));
let blockDir: string;
let model: MockOpenAIServer;
const started = Date.now();

const JAVASCRIPT = new Set(["js", "javascript", "mjs"]);

/** TypeScript blocks are checked as .ts files, JavaScript ones as ES module .mjs files (checkJs). */
function fileOf(block: Block): string {
  return join(blockDir, `readme-line-${block.line}.${JAVASCRIPT.has(block.language) ? "mjs" : "ts"}`);
}

beforeAll(async () => {
  // An app folder whose node_modules holds this package (through its exports
  // map, so only public entry points resolve) and links to its dependencies.
  blockDir = mkdtempSync(join(tmpdir(), "persona-readme-blocks-"));
  writeFileSync(join(blockDir, "package.json"), JSON.stringify({ name: "readme-blocks", private: true, type: "module" }));
  const modules = join(blockDir, "node_modules");
  mkdirSync(modules);
  for (const name of readdirSync(join(ROOT, "node_modules"))) {
    if (!name.startsWith(".")) symlinkSync(join(ROOT, "node_modules", name), join(modules, name));
  }
  symlinkSync(ROOT, join(modules, "langgraph-persona"));
  for (const block of runnable) writeFileSync(fileOf(block), `${block.code}\n`);
  model = await startMockOpenAIServer(ruleBasedHandler);
});

afterAll(async () => {
  await model?.close();
  if (blockDir) rmSync(blockDir, { recursive: true, force: true });
  console.log(`README blocks: ${runnable.length} run, ${blocks.length - runnable.length} not run, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

test("README has runnable blocks, and every block not run is either marked no-run or not code", () => {
  expect(runnable.length).toBeGreaterThan(0);
  for (const block of blocks) {
    if (RUNNABLE.has(block.language) || block.attributes.includes("no-run")) continue;
    expect(["bash", "sh", "text", "json", ""]).toContain(block.language);
  }
});

test("runnable blocks type-check against the package's declarations", () => {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  };
  const typescript = runnable.filter((block) => !JAVASCRIPT.has(block.language)).map(fileOf);
  const javascript = runnable.filter((block) => JAVASCRIPT.has(block.language)).map(fileOf);
  // JavaScript blocks are checked too (wrong imports, names, calls); untyped parameters are fine there.
  const programs = [ts.createProgram(typescript, options), ts.createProgram(javascript, { ...options, allowJs: true, checkJs: true, noImplicitAny: false })];
  const problems = programs.flatMap((program) => ts.getPreEmitDiagnostics(program)).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    if (!diagnostic.file || diagnostic.start === undefined) return text;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${diagnostic.file.fileName.split("/").pop()} (block line ${line + 1}): ${text}`;
  });
  expect(javascript.length + typescript.length).toBe(runnable.length);
  expect(problems).toEqual([]);
});

describe.each(runnable.map((block) => [block.line, block] as const))("README block at line %i", (_line, block) => {
  // Asynchronous: the mock model answers from this process while the block runs.
  test("runs to completion", async () => {
    const module = fileOf(block).replace(/\.m?ts$/, ".run.mjs");
    const { outputText } = ts.transpileModule(block.code, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    });
    writeFileSync(module, outputText);
    const cwd = mkdtempSync(join(tmpdir(), "persona-readme-"));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [module], {
        cwd,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: "test-key", PERSONA_MODEL: "mock-model" },
      });
      if (process.env.README_BLOCKS_VERBOSE) console.log(`README block at line ${block.line} printed:\n${stdout}`);
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`README block at line ${block.line} failed:\n${failure.stdout ?? ""}\n${failure.stderr ?? failure.message}`);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
