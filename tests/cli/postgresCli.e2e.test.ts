import { startMockOpenAIServer, type MockOpenAIServer } from "../../src/testing/index.js";
import { ruleBasedHandler } from "../helpers/ruleBasedModelServer.js";
import { assertCliBuilt, runBuiltCli } from "../helpers/runBuiltCli.js";
import { describeWithPostgres, freshSchema } from "../store/postgresTestServer.js";

describeWithPostgres("persona CLI on Postgres (PERSONA_DB=postgres://...)", () => {
  let server: MockOpenAIServer;
  let drop: () => Promise<void>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    assertCliBuilt();
    server = await startMockOpenAIServer(ruleBasedHandler);
    const fresh = await freshSchema("cli");
    drop = fresh.drop;
    const { OPENAI_API_KEY: _key, PERSONA_MODEL: _model, ...rest } = process.env;
    env = { ...rest, OPENAI_BASE_URL: server.url, PERSONA_DB: fresh.url };
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it("chats, learns, shows history, exports and forgets with the database in Postgres", async () => {
    const chat = (input: string) => runBuiltCli(["chat", "--user", "dora", "--update-every", "1", "--model", "m"], input, env);
    expect(await chat("Hello, my name is Dora.\n")).toMatchObject({
      code: 0,
      // Piped input reports learning on stderr, as a terminal does.
      stderr: "[persona learning: applied, version 1, 1 applied, 0 rejected]\n",
    });
    const again = await chat("hi again\n");
    expect(again.stdout).toBe("Hello Dora! You said: hi again\n");

    const history = await runBuiltCli(["history", "--user", "dora", "--json"], "", env);
    expect(JSON.parse(history.stdout).versions[0]).toMatchObject({ version: 1, changes: [{ field: "Demographics.Name", value: "Dora" }] });
    const exported = JSON.parse((await runBuiltCli(["export", "--user", "dora"], "", env)).stdout);
    expect(exported.sessions).toHaveLength(2);

    const forgotten = await runBuiltCli(["forget", "--user", "dora", "--yes"], "", env);
    expect(forgotten.stdout).toMatch(/forgot user "dora": \d+ stored items and 2 threads deleted/);
    expect(JSON.parse((await runBuiltCli(["show", "--user", "dora"], "", env)).stdout)).toMatchObject({ version: 0, persona: {} });
  });

  it("says which server it could not reach", async () => {
    const result = await runBuiltCli(["show", "--user", "x"], "", { ...env, PERSONA_DB: "postgres://nobody:secret@127.0.0.1:1/none" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot connect to Postgres at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/);
    expect(result.stderr).not.toContain("secret");
  });
});
