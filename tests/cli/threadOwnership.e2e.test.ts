import { join } from "node:path";
import { runBuiltCli } from "../helpers/runBuiltCli.js";
import { useCliFixture } from "../helpers/cliFixture.js";

const CANARY = "u1-secret-2b7f";

describe("persona chat on another user's thread", () => {
  let db: string;

  const cli = useCliFixture("persona-cli-owner-", { env: { PERSONA_SEMANTIC_GUARD: "off" } });

  beforeAll(() => {
    db = join(cli.dir, "chat.db");
  });

  const chat = (user: string, input: string) =>
    runBuiltCli(["chat", "--user", user, "--thread", "shared-thread", "--db", db, "--model", "mock-model"], input, cli.env);

  it("fails for the intruder before anything reaches the model; forget by the intruder leaves the owner's thread", async () => {
    expect((await chat("u1", `my secret is ${CANARY}\n`)).code).toBe(0);
    const before = cli.server.requests.length;
    const intruder = await chat("u2", "what was said here before?\n");
    expect(intruder.code).toBe(1);
    expect(intruder.stderr).toMatch(/thread "shared-thread" belongs to another user/);
    expect(cli.server.requests.length).toBe(before);

    const forgot = await runBuiltCli(["forget", "--user", "u2", "--yes", "--db", db], "", cli.env);
    expect(forgot.code).toBe(0);
    expect(forgot.stdout).toMatch(/0 threads deleted/);

    const back = await chat("u1", "still there?\n");
    expect(back.code).toBe(0);
    // Piped input ended u1's first session, so this is a new session of the same thread.
    const prompt = cli.server.requests.at(-1)!.messages.map((m) => JSON.stringify(m.content)).join("\n");
    expect(prompt).toContain("still there?");
    expect(prompt).not.toContain("what was said here before?");
    const exported = JSON.parse((await runBuiltCli(["export", "--user", "u1", "--db", db], "", cli.env)).stdout);
    const texts = exported.sessions.flatMap((s: { transcript: Array<{ messages: Array<{ text: string }> }> }) =>
      s.transcript.flatMap((t) => t.messages.map((m) => m.text)),
    );
    expect(texts).toContain(`my secret is ${CANARY}`);
    expect(texts).toContain("still there?");
    expect(texts.join("\n")).not.toContain("what was said here before?");
  });
});
