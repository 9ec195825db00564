import { join } from "node:path";
import { runBuiltCli } from "../helpers/runBuiltCli.js";
import { useCliFixture } from "../helpers/cliFixture.js";

interface ExportedSession {
  status: string;
  transcript: Array<{ messages: Array<{ role: string; text: string }> }>;
}

describe("persona chat with piped input", () => {

  const cli = useCliFixture("persona-piped-");

  const chat = (user: string, db: string, input: string, extra: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) =>
    runBuiltCli(["chat", "--user", user, "--db", join(cli.dir, db), "--model", "mock-model", ...extra], input, { ...cli.env, ...extraEnv });
  const sessionsOf = async (user: string, db: string): Promise<ExportedSession[]> =>
    JSON.parse((await runBuiltCli(["export", "--user", user, "--db", join(cli.dir, db)], "", cli.env)).stdout).sessions;

  it("exits 1 on a 2 MB message, naming the line and the limit, and sends nothing", async () => {
    const before = cli.server.requests.length;
    const result = await chat("ann", "big.db", `${"z".repeat(2_000_000)}\n`);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toEqual([
      "persona: input line 1 not sent: the message has 2000000 characters; the limit is 32000 (split it or raise maxMessageChars); later lines were not read",
    ]);
    expect(cli.server.requests.length).toBe(before);
  });

  it("stops at the first message that cannot be sent: earlier ones are answered and stored, later ones are not sent", async () => {
    const result = await chat("bea", "stop.db", `first message\n${"q".repeat(40_000)}\nnever sent\n`, ["--update-every", "5"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("Hello! You said: first message\n");
    expect(result.stderr).toMatch(/^persona: input line 2 not sent: the message has 40000 characters; the limit is 32000/);
    expect(cli.server.requests.map((request) => JSON.stringify(request.messages)).join("\n")).not.toContain("never sent");
    const sessions = await sessionsOf("bea", "stop.db");
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.status).toBe("ended");
    expect(sessions[0]!.transcript.map((turn) => turn.messages.map((m) => m.text))).toEqual([["first message", "Hello! You said: first message"]]);
  });

  it("prints the learning line on stderr, as on a terminal", async () => {
    const result = await chat("cal", "learn.db", "my name is Cal\n", ["--update-every", "1"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Hello! You said: my name is Cal\n");
    expect(result.stderr).toBe("[persona learning: applied, version 1, 1 applied, 0 rejected]\n");
  });

  it("exits 1 naming the endpoint and the model when the endpoint does not answer", async () => {
    const result = await chat("dan", "dead.db", "hello\nsecond\n", [], { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^persona: input line 1 not sent: the model endpoint failed \(http:\/\/127\.0\.0\.1:9\/v1, model mock-model\): Connection error; nothing of this message was stored; later lines were not read\n$/,
    );
    expect(await sessionsOf("dan", "dead.db")).toEqual([]);
  });

  it("rejects PERSONA_HISTORY values other than on and off", async () => {
    const result = await chat("eli", "flag.db", "hi\n", [], { PERSONA_HISTORY: "maybe" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/PERSONA_HISTORY must be "on" or "off", got "maybe"/);
  });
});
