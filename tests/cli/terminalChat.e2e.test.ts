import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertCliBuilt, BUILT_CLI, runBuiltCli } from "../helpers/runBuiltCli.js";
import { startSlowStreamServer, type SlowStreamServer } from "./slowStreamServer.js";
import { tmuxAvailable, TmuxTerminal } from "./tmuxTerminal.js";

if (!tmuxAvailable) {
  // eslint-disable-next-line no-console
  console.warn("tests/cli/terminalChat.e2e.test.ts skipped: tmux is not installed (apt-get install tmux); the terminal REPL is untested");
}
const describeTerminal = tmuxAvailable ? describe : describe.skip;

interface ExportedSession {
  sessionId: string;
  status: string;
  transcript: Array<{ index: number; partial?: boolean; messages: Array<{ role: string; text: string }> }>;
}

/** A 10,000-character message of 100 lines, each line numbered. */
const TEN_THOUSAND = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, "0")} ${"p".repeat(95)}`).join("\n");

describeTerminal("persona chat on a terminal (tmux)", () => {
  let server: SlowStreamServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const terminals: TmuxTerminal[] = [];
  let count = 0;

  beforeAll(async () => {
    assertCliBuilt();
    // "slow": 40 words, 150 ms apart; "late": the first word after 4 s; "break": HTTP 500; else an echo.
    server = await startSlowStreamServer((text, request) => {
      // The learner (it is given the update_persona tool) takes its time.
      if (request.tools?.length) return { words: ["no", "changes"], delayMs: 8000 };
      if (text.startsWith("slow")) return { words: Array.from({ length: 40 }, (_, i) => `w${i + 1}`), everyMs: 150 };
      if (text.startsWith("late")) return { words: ["never", "shown"], delayMs: 4000 };
      if (text.startsWith("break")) return { status: 500 };
      return { words: ["echo:", `${text.length}`, "chars"] };
    });
    dir = mkdtempSync(join(tmpdir(), "persona-tty-"));
    env = { PATH: process.env.PATH, HOME: dir, OPENAI_BASE_URL: server.url, PERSONA_SEMANTIC_GUARD: "off" };
  });

  afterEach(() => {
    for (const terminal of terminals.splice(0)) terminal.close();
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts `persona chat` on a fresh pseudo-terminal; resolves once the prompt is up. */
  const start = async (user: string, db: string, extra: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) => {
    const name = `t${++count}`;
    const exitFile = join(dir, `${name}.exit`);
    const args = ["chat", "--user", user, "--db", db, "--model", "mock-model", ...(extra.includes("--update-every") ? [] : ["--update-every", "5"]), ...extra];
    const terminal = TmuxTerminal.start(name, `'${process.execPath}' '${BUILT_CLI}' ${args.map((a) => `'${a}'`).join(" ")}`, { ...env, ...extraEnv }, exitFile);
    terminals.push(terminal);
    await terminal.waitFor(/you> $/m);
    const exitCode = async () => {
      for (let i = 0; i < 150 && !existsSync(exitFile); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      return Number(readFileSync(exitFile, "utf8").trim());
    };
    return { terminal, exitCode };
  };

  const exported = async (user: string, db: string): Promise<ExportedSession[]> => {
    const result = await runBuiltCli(["export", "--user", user, "--db", db], "", { ...env });
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout).sessions;
  };
  const lastUserText = () => {
    const messages = server.requests.at(-1)!.messages.filter((message) => message.role === "user");
    return String(messages.at(-1)!.content);
  };

  it("edits the line with the arrow keys, recalls history with Up, and keeps history per user beside the database", async () => {
    const db = join(dir, "edit.db");
    const { terminal, exitCode } = await start("ann", db);
    await terminal.type("ello wrld");
    // Fix it with the arrow keys: Left ×3, "o"; Home, "h".
    await terminal.keys("Left", "Left", "Left", "o", "Home", "h", "Enter");
    await terminal.waitFor(/echo: 11 chars/);
    expect(lastUserText()).toBe("hello world");
    expect(terminal.screen()).not.toMatch(/\^\[\[|\x1b/);

    const sent = server.requests.length;
    await terminal.keys("Up");
    await terminal.waitFor(/you> hello world$/m);
    await terminal.keys("Enter");
    await terminal.waitFor((screen) => screen.split("echo: 11 chars").length === 3);
    expect(server.requests.length).toBe(sent + 1);
    expect(lastUserText()).toBe("hello world");

    // Keys arriving together (a burst, with an escape sequence in it) edit the same way.
    await terminal.burst("second ine", "Left", "Left", "Left", "l", "End", "Enter");
    await terminal.waitFor(/echo: 11 chars[\s\S]*echo: 11 chars[\s\S]*echo: 11 chars/);
    await terminal.keys("C-d");
    expect(await exitCode()).toBe(0);

    const historyFile = `${db}.history/ann`;
    expect(readFileSync(historyFile, "utf8").trim().split("\n").map((line) => JSON.parse(line))).toEqual(["hello world", "second line"]);
    expect(statSync(historyFile).mode & 0o777).toBe(0o600);

    // A new run starts with the saved history: Up, Up reaches the first line.
    const again = await start("ann", db);
    await again.terminal.keys("Up", "Up");
    await again.terminal.waitFor(/you> hello world$/m);
    await again.terminal.keys("C-u", "C-d");
    expect(await again.exitCode()).toBe(0);
    // Another user's history is their own.
    const bob = await start("bob", db);
    await bob.terminal.keys("Up");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bob.terminal.screen()).not.toMatch(/you> (hello world|second line)/);
    await bob.terminal.keys("C-d");
    expect(await bob.exitCode()).toBe(0);
  });

  it("keeps no history file with --no-history or PERSONA_HISTORY=off", async () => {
    const db = join(dir, "nohistory.db");
    const flag = await start("cy", db, ["--no-history"]);
    await flag.terminal.type("private words");
    await flag.terminal.keys("Enter");
    await flag.terminal.waitFor(/echo: 13 chars/);
    // History still works within the run.
    await flag.terminal.keys("Up");
    await flag.terminal.waitFor(/you> private words$/m);
    await flag.terminal.keys("C-u", "C-d");
    expect(await flag.exitCode()).toBe(0);

    const environment = await start("cy", db, [], { PERSONA_HISTORY: "off" });
    await environment.terminal.type("more words");
    await environment.terminal.keys("Enter");
    await environment.terminal.waitFor(/echo: 10 chars/);
    await environment.terminal.keys("C-d");
    expect(await environment.exitCode()).toBe(0);
    expect(existsSync(`${db}.history`)).toBe(false);
  });

  it("sends a 10,000-character multi-line paste whole, and refuses a paste over the limit with a warning", async () => {
    const db = join(dir, "paste.db");
    const { terminal, exitCode } = await start("dee", db, ["--no-history"]);
    await terminal.paste(`${TEN_THOUSAND}\n`);
    // The paste is one message: nothing is sent until Enter.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = server.requests.length;
    await terminal.keys("Enter");
    await terminal.waitFor(new RegExp(`echo: ${TEN_THOUSAND.length} chars`), 30_000);
    expect(server.requests.length).toBe(before + 1);
    expect(lastUserText()).toBe(TEN_THOUSAND);

    const sent = server.requests.length;
    await terminal.paste("y".repeat(40_000));
    await terminal.waitFor(/paste refused: the message would have 40000 characters; the limit is 32000/);
    await terminal.type("short");
    await terminal.keys("Enter");
    await terminal.waitFor(/echo: 5 chars/);
    expect(server.requests.length).toBe(sent + 1);
    expect(lastUserText()).toBe("short");

    // A line ending in "\" continues the message on the next line.
    await terminal.type("first\\");
    await terminal.keys("Enter");
    await terminal.waitFor(/\.\.\.> $/m);
    await terminal.type("second");
    await terminal.keys("Enter");
    await terminal.waitFor(/echo: 12 chars/);
    expect(lastUserText()).toBe("first\nsecond");
    await terminal.keys("C-d");
    expect(await exitCode()).toBe(0);

    const [session] = await exported("dee", db);
    expect(session!.status).toBe("ended");
    expect(session!.transcript.map((turn) => turn.messages[0]!.text)).toEqual([TEN_THOUSAND.slice(0, 4000), "short", "first\nsecond"]);
  });

  it("Ctrl-C cancels a streaming reply, keeps what was shown, and returns to the prompt; Ctrl-C twice on an empty line quits", async () => {
    const db = join(dir, "cancel.db");
    const { terminal, exitCode } = await start("eve", db, ["--no-history"]);
    await terminal.type("slow story please");
    await terminal.keys("Enter");
    await terminal.waitFor(/w4 /);
    await terminal.keys("C-c");
    const screen = await terminal.waitFor(/\[cancelled; the reply as shown is kept in this session\][\s\S]*you> $/m);
    const shown = /^(w1 w2 w3 w4[ \w]*)$/m.exec(screen)![1]!.trim();
    expect(shown).not.toContain("w40");

    // Cancelled before anything was shown: nothing of it is stored.
    await terminal.type("late answer");
    await terminal.keys("Enter");
    await new Promise((resolve) => setTimeout(resolve, 700));
    await terminal.keys("C-c");
    await terminal.waitFor(/\[cancelled; nothing of this message was stored\][\s\S]*you> $/m);

    // The REPL goes on, and the model sees the cut-off reply as the conversation so far.
    await terminal.type("go on");
    await terminal.keys("Enter");
    await terminal.waitFor(/echo: 5 chars/);
    const conversation = server.requests.at(-1)!.messages.filter((m) => m.role !== "system").map((m) => String(m.content));
    expect(conversation).toEqual(["slow story please", shown, "go on"]);

    await terminal.keys("C-c");
    await terminal.waitFor(/press Ctrl-C again or Ctrl-D to quit/);
    await terminal.keys("C-c");
    expect(await exitCode()).toBe(0);

    const [session] = await exported("eve", db);
    expect(session!.status).toBe("ended");
    expect(session!.transcript).toEqual([
      expect.objectContaining({ index: 0, partial: true, messages: [{ role: "user", text: "slow story please" }, { role: "assistant", text: shown }] }),
      expect.objectContaining({ index: 1, messages: [{ role: "user", text: "go on" }, { role: "assistant", text: "echo: 5 chars" }] }),
    ]);
    expect(session!.transcript[1]!.partial).toBeUndefined();
  });

  it("Ctrl-C on a line being typed clears it instead of quitting; keys typed during a reply wait for the prompt", async () => {
    const db = join(dir, "clear.db");
    const { terminal, exitCode } = await start("fay", db, ["--no-history"]);
    await terminal.type("late reply");
    await terminal.keys("Enter");
    await new Promise((resolve) => setTimeout(resolve, 500));
    await terminal.type("typed ahead");
    // Not echoed into the reply: it shows up at the next prompt, still editable.
    await terminal.waitFor(/you> late reply\nnever shown\nyou> typed ahead$/m);
    await terminal.keys("End");
    await terminal.type(" more");
    await terminal.keys("C-c");
    await terminal.waitFor(/\^C\nyou> $/m);
    await terminal.type("real");
    await terminal.keys("Enter");
    await terminal.waitFor(/echo: 4 chars/);
    expect(lastUserText()).toBe("real");
    await terminal.keys("C-d");
    expect(await exitCode()).toBe(0);
  });

  it("says when learning runs at the end, and Ctrl-C skips it: the session stays ended, waiting to be learned", async () => {
    const db = join(dir, "learn.db");
    const { terminal, exitCode } = await start("hal", db, ["--no-history", "--update-every", "1"]);
    await terminal.type("hello there");
    await terminal.keys("Enter");
    await terminal.waitFor(/echo: 11 chars/);
    const before = server.requests.length;
    await terminal.keys("C-d");
    await terminal.waitFor(/ending the session: learning runs now \(Ctrl-C skips it\)/);
    for (let i = 0; i < 50 && server.requests.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.requests.at(-1)!.tools?.some((tool) => tool.function.name === "update_persona")).toBe(true);
    await terminal.keys("C-c");
    await terminal.waitFor(/\[cancelled; the session ended, learning did not finish and runs at a later session end\]/);
    expect(await exitCode()).toBe(0);
    const document = JSON.parse((await runBuiltCli(["export", "--user", "hal", "--db", db], "", { ...env })).stdout);
    expect(document.sessions.map((session: ExportedSession) => session.status)).toEqual(["ended"]);
    // The skipped run left no trace: no learning record, no new version.
    expect(document.learningLog).toEqual([]);
    expect(document.persona.version).toBe(0);
  });

  it("Ctrl-C during a learning run that follows a reply keeps the reply and skips the learning", async () => {
    const db = join(dir, "midlearn.db");
    // A chat whose terminal goes away (SIGHUP) leaves its session open.
    const first = await start("ivy", db, ["--no-history", "--update-every", "1"]);
    await first.terminal.type("first visit");
    await first.terminal.keys("Enter");
    // The prompt comes back once the turn is recorded; closing before that could lose the transcript.
    await first.terminal.waitFor(/echo: 11 chars\nyou> $/m);
    first.terminal.close();
    // The next chat's first turn ends that session, so learning runs right after its reply.
    const { terminal, exitCode } = await start("ivy", db, ["--no-history", "--update-every", "1"]);
    const before = server.requests.length;
    await terminal.type("second visit");
    await terminal.keys("Enter");
    await terminal.waitFor(/echo: 12 chars/);
    for (let i = 0; i < 100 && !server.requests.slice(before).some((r) => r.tools?.length); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    // The learner was called and has not answered yet (it holds its reply for 8 s).
    expect(server.requests.slice(before).some((r) => r.tools?.length)).toBe(true);
    expect(terminal.screen()).not.toMatch(/echo: 12 chars\nyou> $/m);
    await terminal.keys("C-c");
    await terminal.waitFor(/\[cancelled; the reply is kept, learning did not finish and runs at a later session end\][\s\S]*you> $/m);
    await terminal.type("/exit");
    await terminal.keys("Enter");
    await terminal.waitFor(/ending the session: learning runs now/);
    await terminal.keys("C-c");
    expect(await exitCode()).toBe(0);
    const document = JSON.parse((await runBuiltCli(["export", "--user", "ivy", "--db", db], "", { ...env })).stdout);
    const sessions = document.sessions as ExportedSession[];
    expect(sessions.map((session) => session.status)).toEqual(["ended", "ended"]);
    expect(sessions.map((session) => session.transcript.map((turn) => turn.messages.map((m) => m.text)))).toEqual([
      [["first visit", "echo: 11 chars"]],
      [["second visit", "echo: 12 chars"]],
    ]);
    expect(document.learningLog).toEqual([]);
  });

  it("reports an endpoint error with the URL and the model, stores nothing of that message, and stays in the chat", async () => {
    const db = join(dir, "errors.db");
    const { terminal, exitCode } = await start("gus", db, ["--no-history"]);
    await terminal.type("break please");
    await terminal.keys("Enter");
    const url = server.url.replace(/[./]/g, "\\$&");
    await terminal.waitFor(new RegExp(`persona: the model endpoint failed \\(${url}, model mock-model\\): 500 [^\\n]*nothing of this message was stored[\\s\\S]*you> $`, "m"), 30_000);
    await terminal.type("still here");
    await terminal.keys("Enter");
    await terminal.waitFor(/echo: 10 chars/);
    expect(server.requests.at(-1)!.messages.map((m) => String(m.content))).not.toContain("break please");
    await terminal.type("/exit");
    await terminal.keys("Enter");
    expect(await exitCode()).toBe(0);
    const [session] = await exported("gus", db);
    expect(session!.transcript.map((turn) => turn.messages.map((m) => m.text))).toEqual([["still here", "echo: 10 chars"]]);

    // No server at all: the same, naming the address that did not answer.
    const dead = await start("gus", db, ["--no-history"], { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    await dead.terminal.type("anyone there");
    await dead.terminal.keys("Enter");
    await dead.terminal.waitFor(/persona: the model endpoint failed \(http:\/\/127\.0\.0\.1:9\/v1, model mock-model\): Connection error[\s\S]*you> $/m, 30_000);
    await dead.terminal.keys("C-d");
    expect(await dead.exitCode()).toBe(0);
  });
});
