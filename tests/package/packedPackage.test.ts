import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

// Installs the tarball `npm pack` makes into two empty projects, one ES module
// app and one CommonJS app, the way a user would; then type-checks each against
// the package's declarations (.d.ts for import, .d.cts for require), loads
// every entry point and runs one graph turn.
const ROOT = join(__dirname, "..", "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
jest.setTimeout(400_000);

/** The public entry points, as the issue lists them. */
const SUBPATHS = [".", "./bench", "./generate", "./graph", "./guard", "./learning", "./models", "./postgres", "./render", "./store", "./testing"];
const specifier = (subpath: string) => (subpath === "." ? "langgraph-persona" : `langgraph-persona/${subpath.slice(2)}`);

let workDir: string;
let esmApp: string;
let cjsApp: string;
let packedFiles: string[] = [];
const started = Date.now();

async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, {
      cwd,
      encoding: "utf8",
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" },
    });
    return stdout;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${failure.stdout ?? ""}\n${failure.stderr ?? failure.message}`);
  }
}

const lastJsonLine = (output: string) => JSON.parse(output.trim().split("\n").at(-1)!);

const TSCONFIG = (file: string) =>
  JSON.stringify({
    compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, outDir: "build", skipLibCheck: true, types: [] },
    files: [file],
  });

// ES module app: static imports of the typed API, a turn, every entry by import().
const ESM_APP = `import { HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { createPersonaGraph, PersonaMemory, type PersonaGraphOptions } from "langgraph-persona";
import { createSessionManagerNode } from "langgraph-persona/graph";
import { learnPersona } from "langgraph-persona/learning";
import { checkStructure } from "langgraph-persona/guard";
import { SqliteStore } from "langgraph-persona/store";
import { renderPersona } from "langgraph-persona/render";
import { createChatModelFromEnv } from "langgraph-persona/models";
import { ScriptedChatModel } from "langgraph-persona/testing";
import { loadPersonaBench } from "langgraph-persona/bench";
import type { PostgresStoreOptions } from "langgraph-persona/postgres";

const typed: Array<(...args: never[]) => unknown> = [createSessionManagerNode, learnPersona, checkStructure, renderPersona, createChatModelFromEnv];
const postgresOptions: Partial<PostgresStoreOptions> = {};
const options: PersonaGraphOptions = { model: new ScriptedChatModel({ replies: ["Hello from the ES module app"] }) };
const store = new InMemoryStore();
const graph = createPersonaGraph(options).compile({ checkpointer: new MemorySaver(), store });
const state = await graph.invoke(
  { messages: [new HumanMessage("hi")] },
  { configurable: { thread_id: "t1" }, context: { userId: "u1" } },
);
const sessions = await new PersonaMemory(store, "u1").sessions();
const entries: Record<string, string[] | string> = {};
for (const name of ${JSON.stringify(SUBPATHS.map(specifier))}) {
  try {
    entries[name] = Object.keys(await import(name)).sort();
  } catch (error) {
    entries[name] = (error as { code?: string }).code ?? String(error);
  }
}
let deepImport = "allowed";
try {
  await import("langgraph-persona/dist/index.js" as string);
} catch (error) {
  deepImport = (error as { code?: string }).code ?? String(error);
}
// The shipped PersonaBench fixture loads through the bench entry.
const bench = loadPersonaBench("node_modules/langgraph-persona/fixtures/personabench-mini");
console.log(
  JSON.stringify({
    reply: state.messages.at(-1)?.content,
    sessions: sessions.map((s) => s.status),
    typed: typed.length + Object.keys(postgresOptions).length + (SqliteStore ? 1 : 0),
    entries,
    deepImport,
    benchPersonas: bench.personas.length,
  }),
);
`;

// CommonJS app (package.json without "type"): tsc compiles these imports to require().
const CJS_APP = `import { HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { createPersonaGraph, PersonaMemory, type PersonaGraphOptions } from "langgraph-persona";
import { ScriptedChatModel } from "langgraph-persona/testing";
import { loadPersonaBench } from "langgraph-persona/bench";
import { PostgresStore } from "langgraph-persona/postgres";
import { renderPersona } from "langgraph-persona/render";

async function main(): Promise<void> {
  const options: PersonaGraphOptions = { model: new ScriptedChatModel({ replies: ["Hello from the CommonJS app"] }) };
  const store = new InMemoryStore();
  const graph = createPersonaGraph(options).compile({ checkpointer: new MemorySaver(), store });
  const state = await graph.invoke(
    { messages: [new HumanMessage("hi")] },
    { configurable: { thread_id: "t1" }, context: { userId: "u1" } },
  );
  const sessions = await new PersonaMemory(store, "u1").sessions();
  const bench = loadPersonaBench("node_modules/langgraph-persona/fixtures/personabench-mini");
  console.log(
    JSON.stringify({
      reply: state.messages.at(-1)?.content,
      sessions: sessions.map((s) => s.status),
      benchPersonas: bench.personas.length,
      postgresStore: typeof PostgresStore,
      rendered: typeof renderPersona,
    }),
  );
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
declare const process: { exitCode?: number };
`;

// Plain CommonJS: require() every entry and compare with what import() gives.
const CJS_REQUIRE_ALL = `const names = ${JSON.stringify(SUBPATHS.map(specifier))};
(async () => {
  const entries = {};
  for (const name of names) {
    const required = Object.keys(require(name)).sort();
    const imported = Object.keys(await import(name)).filter((key) => key !== "default" && key !== "module.exports").sort();
    entries[name] = { required: required.length, same: JSON.stringify(required) === JSON.stringify(imported), file: require.resolve(name).split("node_modules/")[1] };
  }
  let deepRequire = "allowed";
  try { require("langgraph-persona/dist/index.cjs"); } catch (error) { deepRequire = error.code; }
  console.log(JSON.stringify({ entries, deepRequire }));
})();
`;

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist", "index.cjs"))) throw new Error("dist/ is missing: run `npm run build` (npm test does) first");
  workDir = mkdtempSync(join(tmpdir(), "persona-pack-"));
  // --ignore-scripts: `prepare` would rebuild dist/ if stale, under the feet of other tests.
  const [packed] = JSON.parse(await run(NPM, ["pack", "--json", "--ignore-scripts", "--pack-destination", workDir], ROOT)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packedFiles = packed.files.map((file) => file.path);
  const tarball = join(workDir, packed.filename);
  esmApp = join(workDir, "esm-app");
  cjsApp = join(workDir, "cjs-app");
  mkdirSync(esmApp);
  mkdirSync(cjsApp);
  writeFileSync(join(esmApp, "package.json"), JSON.stringify({ name: "esm-app", private: true, type: "module" }, null, 2));
  writeFileSync(join(cjsApp, "package.json"), JSON.stringify({ name: "cjs-app", private: true }, null, 2));
  // Cached packages first, the registry only for what the cache lacks; no install
  // scripts (better-sqlite3's native build is not needed here). The peers
  // (@langchain/core, @langchain/langgraph) come with the install; the CommonJS
  // app also installs the optional Postgres peers to load that entry.
  const install = ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"];
  await Promise.all([
    run(NPM, [...install, tarball], esmApp),
    run(NPM, [...install, tarball, "pg", "@langchain/langgraph-checkpoint-postgres"], cjsApp),
  ]);
  writeFileSync(join(esmApp, "main.ts"), ESM_APP);
  writeFileSync(join(esmApp, "tsconfig.json"), TSCONFIG("main.ts"));
  writeFileSync(join(cjsApp, "main.ts"), CJS_APP);
  writeFileSync(join(cjsApp, "tsconfig.json"), TSCONFIG("main.ts"));
  writeFileSync(join(cjsApp, "require-all.cjs"), CJS_REQUIRE_ALL);
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  console.log(`packed-package test (pack, two installs, type-checks, runs): ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe("the packed package", () => {
  test("ships ESM and CommonJS builds with declarations for each, the CLI, and nothing from the source tree", () => {
    const expected = ["package.json", "README.md", "dist/cli/main.js"];
    for (const subpath of SUBPATHS) {
      const base = subpath === "." ? "dist/index" : subpath === "./testing" ? "dist/testing/index" : `dist/${subpath.slice(2)}`;
      expected.push(`${base}.js`, `${base}.d.ts`, `${base}.cjs`, `${base}.d.cts`);
    }
    expect(packedFiles).toEqual(expect.arrayContaining(expected));
    const unexpected = packedFiles.filter((path) => /^(src|tests|graphs|notebooks|scripts|\.ci)\//.test(path) || (/\.[cm]?ts$/.test(path) && !/\.d\.c?ts$/.test(path)));
    expect(unexpected).toEqual([]);
  });

  test("exports every entry with import, require and types conditions, and states the minimum Node", () => {
    const manifest = JSON.parse(readFileSync(join(esmApp, "node_modules", "langgraph-persona", "package.json"), "utf8"));
    expect(Object.keys(manifest.exports).sort()).toEqual([...SUBPATHS, "./package.json"].sort());
    for (const subpath of SUBPATHS) {
      const entry = manifest.exports[subpath];
      expect(entry.import.types).toMatch(/\.d\.ts$/);
      expect(entry.import.default).toMatch(/\.js$/);
      expect(entry.require.types).toMatch(/\.d\.cts$/);
      expect(entry.require.default).toMatch(/\.cjs$/);
    }
    // require() of the ESM-only packages some LangChain builds load needs 20.19.
    expect(manifest.engines.node).toBe(">=20.19");
    expect(manifest.bin).toEqual({ persona: "dist/cli/main.js" });
  });

  test("declares LangGraph as peer dependencies and the Postgres packages as optional peers", () => {
    const manifest = JSON.parse(readFileSync(join(esmApp, "node_modules", "langgraph-persona", "package.json"), "utf8"));
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

  test("ES module app: type-checks against the .d.ts files, imports every entry, runs one turn", async () => {
    const files = await run(process.execPath, [TSC, "-p", "tsconfig.json", "--listFiles"], esmApp);
    const declarations = files.split("\n").filter((file) => file.includes("node_modules/langgraph-persona/"));
    expect(declarations).toEqual(expect.arrayContaining([expect.stringMatching(/langgraph-persona\/dist\/index\.d\.ts$/), expect.stringMatching(/langgraph-persona\/dist\/graph\.d\.ts$/)]));
    expect(declarations.filter((file) => file.endsWith(".d.cts"))).toEqual([]);
    const result = lastJsonLine(await run(process.execPath, [join("build", "main.js")], esmApp));
    expect(result.reply).toBe("Hello from the ES module app");
    expect(result.sessions).toEqual(["open"]);
    expect(result.typed).toBe(6);
    expect(result.deepImport).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
    expect(result.benchPersonas).toBe(2);
    // The optional Postgres packages are not installed here: only the postgres entry needs them.
    expect(result.entries["langgraph-persona/postgres"]).toBe("ERR_MODULE_NOT_FOUND");
    for (const name of SUBPATHS.map(specifier).filter((name) => name !== "langgraph-persona/postgres")) {
      expect([name, Array.isArray(result.entries[name]) && result.entries[name].length > 0]).toEqual([name, true]);
    }
    // Builders live in the root; the graph entry holds the wiring for custom graphs.
    expect(result.entries["langgraph-persona"]).toEqual(expect.arrayContaining(["createPersonaGraph", "PersonaMemory"]));
    expect(result.entries["langgraph-persona/graph"]).toEqual(expect.arrayContaining(["SESSION_MANAGER", "createSessionManagerNode"]));
    expect(result.entries["langgraph-persona/graph"]).not.toContain("createPersonaGraph");
  });

  test("CommonJS app: type-checks against the .d.cts files, compiles to require(), runs one turn", async () => {
    const files = await run(process.execPath, [TSC, "-p", "tsconfig.json", "--listFiles"], cjsApp);
    const declarations = files.split("\n").filter((file) => file.includes("node_modules/langgraph-persona/"));
    expect(declarations).toEqual(expect.arrayContaining([expect.stringMatching(/langgraph-persona\/dist\/index\.d\.cts$/), expect.stringMatching(/langgraph-persona\/dist\/postgres\.d\.cts$/)]));
    expect(declarations.filter((file) => file.endsWith(".d.ts"))).toEqual([]);
    const compiled = readFileSync(join(cjsApp, "build", "main.js"), "utf8");
    expect(compiled).toContain('require("langgraph-persona")');
    const result = lastJsonLine(await run(process.execPath, [join("build", "main.js")], cjsApp));
    expect(result).toEqual({ reply: "Hello from the CommonJS app", sessions: ["open"], benchPersonas: 2, postgresStore: "function", rendered: "function" });
  });

  test("CommonJS: require() loads every entry's .cjs file with the same exports as import()", async () => {
    const result = lastJsonLine(await run(process.execPath, ["require-all.cjs"], cjsApp));
    expect(Object.keys(result.entries).sort()).toEqual(SUBPATHS.map(specifier).sort());
    for (const [name, entry] of Object.entries(result.entries as Record<string, { required: number; same: boolean; file: string }>)) {
      expect({ name, same: entry.same, loaded: entry.required > 0, cjs: entry.file.endsWith(".cjs") }).toEqual({ name, same: true, loaded: true, cjs: true });
    }
    expect(result.deepRequire).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });
});
