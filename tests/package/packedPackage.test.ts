import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Installs the tarball `npm pack` makes into an empty project, the way a user
// would, then type-checks and runs a small app against it.
const ROOT = join(__dirname, "..", "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
jest.setTimeout(300_000);

let workDir: string;
let appDir: string;
let packedFiles: string[] = [];
const started = Date.now();

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 240_000,
      env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" },
    });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${failure.stdout ?? ""}\n${failure.stderr ?? failure.message}`);
  }
}

const APP = `import { HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { createPersonaGraph, PersonaMemory, type PersonaGraphOptions } from "langgraph-persona";
import { ScriptedChatModel } from "langgraph-persona/testing";
import { loadPersonaBench } from "langgraph-persona/bench";

const options: PersonaGraphOptions = { model: new ScriptedChatModel({ replies: ["Hello from the packed package"] }) };
const store = new InMemoryStore();
const graph = createPersonaGraph(options).compile({ checkpointer: new MemorySaver(), store });
const state = await graph.invoke(
  { messages: [new HumanMessage("hi")] },
  { configurable: { thread_id: "t1" }, context: { userId: "u1" } },
);
const sessions = await new PersonaMemory(store, "u1").sessions();
let deepImport = "allowed";
try {
  await import("langgraph-persona/dist/index.js" as string);
} catch (error) {
  deepImport = (error as { code?: string }).code ?? String(error);
}
// The shipped PersonaBench fixture loads through the bench entry.
const bench = loadPersonaBench("node_modules/langgraph-persona/fixtures/personabench-mini");
// The optional Postgres packages are not installed: only the postgres entry needs them.
let postgres = "loaded";
try {
  await import("langgraph-persona/postgres" as string);
} catch (error) {
  postgres = (error as { code?: string }).code ?? String(error);
}
console.log(
  JSON.stringify({
    reply: state.messages.at(-1)?.content,
    sessions: sessions.map((s) => s.status),
    deepImport,
    benchPersonas: bench.personas.length,
    postgres,
  }),
);
`;

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist", "index.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does) first");
  workDir = mkdtempSync(join(tmpdir(), "persona-pack-"));
  const [packed] = JSON.parse(run(NPM, ["pack", "--json", "--pack-destination", workDir], ROOT)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packedFiles = packed.files.map((file) => file.path);
  appDir = join(workDir, "app");
  mkdirSync(appDir);
  writeFileSync(join(appDir, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }, null, 2));
  // Cached packages first, the registry only for what the cache lacks; no
  // install scripts (better-sqlite3's native build is not needed here).
  run(NPM, ["install", join(workDir, packed.filename), "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], appDir);
  writeFileSync(join(appDir, "main.ts"), APP);
  writeFileSync(
    join(appDir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, outDir: "build", skipLibCheck: true, types: [] },
      files: ["main.ts"],
    }),
  );
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  console.log(`packed-package test (pack, install, type-check, run): ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe("the packed package", () => {
  test("ships the built ESM with type declarations, and nothing from the source tree", () => {
    expect(packedFiles).toEqual(expect.arrayContaining(["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/testing/index.js", "dist/testing/index.d.ts", "dist/bench.js", "dist/postgres.js"]));
    const unexpected = packedFiles.filter((path) => /^(src|tests|graphs|notebooks|scripts|\.ci)\//.test(path) || path.endsWith(".ts") && !path.endsWith(".d.ts"));
    expect(unexpected).toEqual([]);
  });

  test("declares LangGraph as peer dependencies and the Postgres packages as optional peers", () => {
    const manifest = JSON.parse(readFileSync(join(appDir, "node_modules", "langgraph-persona", "package.json"), "utf8"));
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual([
      "@langchain/core",
      "@langchain/langgraph",
      "@langchain/langgraph-checkpoint-postgres",
      "pg",
    ]);
    expect(manifest.peerDependenciesMeta).toEqual({
      pg: { optional: true },
      "@langchain/langgraph-checkpoint-postgres": { optional: true },
    });
    for (const name of ["@langchain/core", "@langchain/langgraph", "pg", "@langchain/langgraph-checkpoint-postgres"]) {
      expect(manifest.dependencies?.[name]).toBeUndefined();
    }
  });

  test("type-checks an app against its declarations, and runs one turn with MemorySaver and InMemoryStore", () => {
    run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], appDir);
    const result = JSON.parse(run(process.execPath, [join("build", "main.js")], appDir).trim().split("\n").at(-1)!);
    expect(result).toEqual({
      reply: "Hello from the packed package",
      sessions: ["open"],
      deepImport: "ERR_PACKAGE_PATH_NOT_EXPORTED",
      benchPersonas: 2,
      postgres: "ERR_MODULE_NOT_FOUND",
    });
  });
});
