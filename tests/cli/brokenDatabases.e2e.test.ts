import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockOpenAIServer, type MockOpenAIServer } from "../../src/testing/index.js";
import { ruleBasedHandler } from "../helpers/ruleBasedModelServer.js";
import { assertCliBuilt, BUILT_CLI, type CliRun } from "../helpers/runBuiltCli.js";
import { describeWithPostgres, POSTGRES_TEST_URL } from "../store/postgresTestServer.js";

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/**
 * Runs the built CLI. `unprivileged`: as a user file modes apply to (root
 * ignores them, so as root the CLI runs as nobody).
 */
function cli(args: string[], env: NodeJS.ProcessEnv, unprivileged = false): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...args], {
      env,
      stdio: ["pipe", "pipe", "pipe"],
      ...(unprivileged && isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end("");
  });
}

describe("persona CLI on read-only and broken databases", () => {
  let server: MockOpenAIServer;
  let dir: string;
  let seeded: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    assertCliBuilt();
    server = await startMockOpenAIServer(ruleBasedHandler);
    dir = mkdtempSync(join(tmpdir(), "persona-cli-db-"));
    chmodSync(dir, 0o755);
    const { OPENAI_API_KEY: _key, PERSONA_MODEL: _model, PERSONA_DB: _db, ...rest } = process.env;
    env = { ...rest, OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "not-needed" };
    seeded = join(dir, "seeded.db");
    const child = spawn(process.execPath, [BUILT_CLI, "chat", "--user", "dora", "--update-every", "1", "--model", "m", "--db", seeded], { env });
    child.stdin.end("Hello, my name is Dora.\n");
    const code = await new Promise((resolvePromise) => child.on("close", resolvePromise));
    if (code !== 0) throw new Error(`seeding chat exited ${String(code)}`);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the seeded database in its own directory (mode 0755). */
  function copy(name: string): { folder: string; path: string } {
    const folder = join(dir, name);
    mkdirSync(folder, { mode: 0o755 });
    chmodSync(folder, 0o755);
    const path = join(folder, "persona.db");
    copyFileSync(seeded, path);
    return { folder, path };
  }

  it("show, history, diff and export work on a file with mode 0444 in a read-only directory, and write nothing", async () => {
    const { folder, path } = copy("readonly");
    chmodSync(path, 0o444);
    chmodSync(folder, 0o555);
    const before = readFileSync(path);
    try {
      const show = await cli(["show", "--user", "dora", "--db", path], env, true);
      expect(show).toMatchObject({ code: 0, stderr: "" });
      expect(JSON.parse(show.stdout)).toMatchObject({ version: 1, persona: { Demographics: { Name: "Dora" } } });
      const history = await cli(["history", "--user", "dora", "--json", "--db", path], env, true);
      expect(history.code).toBe(0);
      expect(JSON.parse(history.stdout).versions).toHaveLength(1);
      const diff = await cli(["diff", "--user", "dora", "--from", "0", "--db", path], env, true);
      expect(diff.code).toBe(0);
      expect(diff.stdout).toContain("Dora");
      const exported = await cli(["export", "--user", "dora", "--db", path], env, true);
      expect(exported.code).toBe(0);
      expect(JSON.parse(exported.stdout).persona.version).toBe(1);
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(readdirSync(folder)).toEqual(["persona.db"]);
    } finally {
      chmodSync(folder, 0o755);
    }
  });

  it("forget on a read-only file fails (exit 1) naming the file and saying why", async () => {
    const { path } = copy("forget-ro");
    chmodSync(path, 0o444);
    const result = await cli(["forget", "--user", "dora", "--yes", "--db", path], env, true);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toMatch(/read-only for this user/);
  });

  it.each([
    ["a missing file", (d: string) => join(d, "missing.db"), /no database at .*missing\.db/],
    ["a directory", (d: string) => d, /is a directory, not a database file/],
    ["a missing directory (chat would create the file)", (d: string) => join(d, "nowhere", "persona.db"), /nowhere\/persona\.db: the directory .*nowhere does not exist/],
  ])("%s: exit 2 and a message naming the path", async (name, location, message) => {
    const path = location(dir);
    const command = name.startsWith("a missing directory") ? ["chat", "--user", "dora", "--db", path] : ["show", "--user", "dora", "--db", path];
    const result = await cli(command, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it.each(["show", "history", "export", "forget", "chat"])("%s on a file that is not a database: exit 2, file unchanged", async (command) => {
    const path = join(dir, `not-a-db-${command}.db`);
    writeFileSync(path, "this is a text file that happens to end in .db\n".repeat(20));
    const before = readFileSync(path);
    const args = [command, "--user", "dora", "--db", path, ...(command === "forget" ? ["--yes"] : [])];
    const result = await cli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path}: file is not a database`);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("a damaged database: exit 1 naming the file", async () => {
    const { path } = copy("damaged");
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xa5, pageSize); // every page after the first (the schema) is garbage
    writeFileSync(path, bytes);
    const result = await cli(["show", "--user", "dora", "--db", path], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toMatch(/malformed|corrupt/i);
  });

  it("a bad Postgres URL: exit 2, password hidden", async () => {
    const result = await cli(["show", "--user", "dora", "--db", "postgres://me:hunter2@127.0.0.1:notaport/x"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/postgres:\/\/me:\*\*\*@127\.0\.0\.1:notaport\/x/);
    expect(result.stderr).not.toContain("hunter2");
  });

  it("a refused connection: exit 1 naming the server", async () => {
    const result = await cli(["history", "--user", "dora", "--db", "postgres://me:hunter2@127.0.0.1:1/x"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot connect to Postgres at postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/x/);
    expect(result.stderr).not.toContain("hunter2");
  });
});

describeWithPostgres("persona CLI on a Postgres database that does not exist", () => {
  it("exit 2 naming the server", async () => {
    assertCliBuilt();
    const url = new URL(POSTGRES_TEST_URL);
    url.pathname = "/no_such_database_for_persona";
    const result = await cli(["show", "--user", "dora", "--db", url.toString()], process.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no_such_database_for_persona/);
  });
});
