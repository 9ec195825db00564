import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { BUILT_CLI, runBuiltCli } from "../helpers/runBuiltCli.js";
import { useCliFixture } from "../helpers/cliFixture.js";

describe("persona CLI end to end against an OpenAI-compatible HTTP server", () => {
  let db: string;

  const cli = useCliFixture("persona-cli-");

  beforeAll(() => {
    db = join(cli.dir, "chat.db");
  });

  const chat = (user: string, input: string) =>
    runBuiltCli(["chat", "--user", user, "--db", db, "--update-every", "2", "--model", "mock-model"], input, cli.env);

  it("learns across processes, personalizes new threads and keeps users apart", async () => {
    const first = await chat("alice", "Hello, my name is Alice.\n");
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toBe("Hello! You said: Hello, my name is Alice.\n");

    const second = await chat("alice", "I work as a nurse.\nI love gardening.\n");
    expect(second.code).toBe(0);
    expect(second.stdout.trim().split("\n")).toHaveLength(2);
    const learnerRequests = cli.server.requests.filter((r) => r.tools?.some((t) => t.function.name === "update_persona"));
    expect(learnerRequests).toHaveLength(1);

    const bob = await chat("bob", "hi there\n");
    expect(bob.stdout).toBe("Hello! You said: hi there\n");

    const back = await chat("alice", "what do you know about me?\n");
    expect(back.stdout).toBe("Hello Alice! You said: what do you know about me?\n");
    const aliceSystem = String(cli.server.requests.at(-1)?.messages[0].content);
    expect(aliceSystem).toContain('Demographics.Career_Information: "nurse"');
    expect(aliceSystem).toContain('Personality.Values_and_Interests: ["gardening"]');

    const bobAgain = await chat("bob", "hello\n");
    expect(bobAgain.stdout).toBe("Hello! You said: hello\n");
    expect(String(cli.server.requests.at(-1)?.messages[0].content)).not.toContain("Alice");

    const shown = await runBuiltCli(["show", "--user", "alice", "--db", db], "", cli.env);
    expect(shown.code).toBe(0);
    const document = JSON.parse(shown.stdout);
    expect(document).toMatchObject({
      userId: "alice",
      version: 1,
      persona: {
        Demographics: { Name: "Alice", Career_Information: "nurse" },
        Personality: { Values_and_Interests: ["gardening"] },
      },
    });
    const bobShown = JSON.parse((await runBuiltCli(["show", "--user", "bob", "--db", db], "", cli.env)).stdout);
    expect(bobShown).toMatchObject({ userId: "bob", version: 0, persona: {} });

    // Piped input goes over plain JSON responses.
    expect(cli.server.requests.every((r) => !r.stream)).toBe(true);
  });

  const haveScript = existsSync("/usr/bin/script");
  (haveScript ? it : it.skip)("streams the reply on a terminal", async () => {
    const before = cli.server.requests.length;
    const command = `${process.execPath} ${BUILT_CLI} chat --user carol --db ${db} --model mock-model`;
    // `script` gives the CLI a pseudo-terminal, so it runs the interactive REPL;
    // input goes through a pipe into script's terminal.
    const child = spawn("script", ["-qfec", command, "/dev/null"], { env: { ...cli.env, TERM: "dumb" } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 200 && !pattern.test(output); i++) await new Promise((r) => setTimeout(r, 50));
      expect(output).toMatch(pattern);
    };
    await waitFor(/you> /);
    child.stdin.write("my name is Carol\r");
    await waitFor(/You said: my name is Carol/);
    child.stdin.write("/exit\r");
    await new Promise((r) => child.on("close", r));
    const streamed = cli.server.requests.slice(before).filter((r) => r.stream);
    expect(streamed.length).toBeGreaterThanOrEqual(1);
  });

  it("refuses an oversized message before anything is sent or stored", async () => {
    const before = cli.server.requests.length;
    const result = await chat("dave", `${"x".repeat(40_000)}\n`);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/40000 characters; the limit is 32000/);
    expect(cli.server.requests.length).toBe(before);
    const file = new Database(db, { readonly: true });
    try {
      const count = (sql: string) => (file.prepare(sql).get() as { n: number }).n;
      expect(count("SELECT COUNT(*) AS n FROM store_items WHERE ns LIKE 'persona/dave/%'")).toBe(0);
      expect(count("SELECT COUNT(*) AS n FROM checkpoints WHERE CAST(checkpoint AS TEXT) LIKE '%xxxxxxxxxx%'")).toBe(0);
      expect(count("SELECT COUNT(*) AS n FROM writes WHERE CAST(value AS TEXT) LIKE '%xxxxxxxxxx%'")).toBe(0);
    } finally {
      file.close();
    }
  });

  it("fails in one line, writing nothing, when no endpoint is configured", async () => {
    const { OPENAI_BASE_URL: _url, ...withoutEndpoint } = cli.env;
    const target = join(cli.dir, "never.db");
    const result = await runBuiltCli(["chat", "--user", "x", "--db", target], "hi\n", withoutEndpoint);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/set OPENAI_API_KEY .* or OPENAI_BASE_URL/);
    expect(existsSync(target)).toBe(false);
  });

  it("rejects bad flags with a usage error", async () => {
    expect((await runBuiltCli(["chat", "--db", db], "", cli.env)).stderr).toMatch(/--user <id> is required/);
    const unknown = await runBuiltCli(["chat", "--user", "a", "--colour", "red"], "", cli.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--colour'/);
    expect((await runBuiltCli(["chat", "--user", "a", "--update-every", "0", "--db", db], "", cli.env)).stderr).toMatch(
      /--update-every must be a positive integer/,
    );
  });
});
