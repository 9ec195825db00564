import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describeEndpointError, isEndpointError } from "../../src/cli/repl/endpointError.js";
import { appendPromptHistory, loadPromptHistory, promptHistoryPath } from "../../src/cli/repl/promptHistory.js";
import { NEWLINE_MARK, TerminalInput, type PasteOutcome } from "../../src/cli/repl/terminalInput.js";
import { promptHistoryEnabled } from "../../src/cli/settings.js";

function harness(maxChars = 50, currentLength = 0) {
  const source = new PassThrough();
  const pastes: PasteOutcome[] = [];
  let interrupts = 0;
  const input = new TerminalInput(source, {
    maxChars,
    currentLength: () => currentLength,
    onInterrupt: () => interrupts++,
    onPaste: (outcome) => pastes.push(outcome),
  });
  let forwarded = "";
  const chunks: string[] = [];
  input.stream.on("data", (chunk: Buffer) => {
    forwarded += chunk.toString("utf8");
    chunks.push(chunk.toString("utf8"));
  });
  const send = async (...chunks: string[]) => {
    for (const chunk of chunks) source.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { input, pastes, send, chunks, forwarded: () => forwarded, interrupts: () => interrupts };
}

describe("TerminalInput", () => {
  it("passes keys through, and turns a bracketed paste into one line with its line breaks marked", async () => {
    const { send, forwarded, pastes, chunks } = harness();
    await send("ab\x1b[D", "\x1b[200~one\r\ntwo\nthree\n\x1b[201~", "\r");
    expect(forwarded()).toBe(`ab\x1b[Done${NEWLINE_MARK}two${NEWLINE_MARK}three\r`);
    expect(pastes).toEqual([{ inserted: true, chars: 13, lines: 3, droppedControls: 0 }]);
    // One key per read (readline mis-edits bursts); a paste in one piece.
    expect(chunks).toEqual(["a", "b", "\x1b[D", `one${NEWLINE_MARK}two${NEWLINE_MARK}three`, "\r"]);
  });

  it("finds paste markers split across reads", async () => {
    const { send, forwarded } = harness();
    await send("x\x1b[2", "00~pas", "ted\x1b[20", "1~y");
    expect(forwarded()).toBe("xpastedy");
  });

  it("refuses a paste that would make the message longer than the limit, whole", async () => {
    const { send, forwarded, pastes } = harness(50, 45);
    await send(`\x1b[200~${"a".repeat(6)}\x1b[201~`);
    expect(forwarded()).toBe("");
    expect(pastes).toEqual([{ inserted: false, chars: 51, limit: 50 }]);
  });

  it("leaves control characters out of a paste and says how many", async () => {
    const { send, forwarded, pastes } = harness();
    await send("\x1b[200~a\x1bb\x07c\tdone\x1b[201~");
    expect(forwarded()).toBe("abc\tdone");
    expect(pastes[0]).toMatchObject({ inserted: true, droppedControls: 2 });
  });

  it("while busy holds keys back until it is idle, and Ctrl-C interrupts and drops what was typed before it", async () => {
    const { input, send, forwarded, interrupts } = harness();
    input.busy = true;
    await send("typed ahead");
    expect(forwarded()).toBe("");
    await send("junk\x03kept");
    expect(interrupts()).toBe(1);
    input.busy = false;
    // Held until the next prompt is shown.
    expect(forwarded()).toBe("");
    input.releaseTypeAhead();
    await new Promise((resolve) => setImmediate(resolve));
    expect(forwarded()).toBe("kept");
  });

  it("after Enter holds the rest of the burst, and later keys, until the next prompt asks for them", async () => {
    const { input, send, forwarded } = harness();
    await send("late reply\rtyped");
    await send(" ahead");
    expect(forwarded()).toBe("late reply\r");
    input.releaseTypeAhead();
    await new Promise((resolve) => setImmediate(resolve));
    expect(forwarded()).toBe("late reply\rtyped ahead");
    // Two lines typed ahead: one per prompt.
    await send("\rsecond\rthird");
    expect(forwarded()).toBe("late reply\rtyped ahead\r");
    input.releaseTypeAhead();
    await new Promise((resolve) => setImmediate(resolve));
    expect(forwarded()).toBe("late reply\rtyped ahead\rsecond\r");
  });

  it("forwards a lone Escape that looked like the start of a paste marker after a moment", async () => {
    const { send, forwarded } = harness();
    await send("\x1b");
    expect(forwarded()).toBe("");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(forwarded()).toBe("\x1b");
  });
});

describe("prompt history", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "persona-prompt-history-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lives beside a SQLite database, per user, with the user id encoded as a file name", () => {
    expect(promptHistoryPath("/data/persona.db", "alice")).toBe("/data/persona.db.history/alice");
    expect(promptHistoryPath("/data/persona.db", "../etc/passwd")).toBe("/data/persona.db.history/%2E%2E%2Fetc%2Fpasswd");
    expect(promptHistoryPath("/data/persona.db", "x".repeat(300))).toMatch(/\/data\/persona\.db\.history\/sha256-[0-9a-f]{64}$/);
  });

  it("for Postgres lives under XDG_STATE_HOME (else ~/.local/state), by host, port, database and schema, never the password", () => {
    const url = "postgres://app:s3cret@db.example:6543/persona?sslmode=require";
    expect(promptHistoryPath(url, "bob", { XDG_STATE_HOME: "/state" })).toBe("/state/persona/history/db.example_6543_persona/bob");
    expect(promptHistoryPath("postgres://db.example/persona?schema=tenant_a", "bob", { XDG_STATE_HOME: "/state" })).toBe(
      "/state/persona/history/db.example_5432_persona_tenant_a/bob",
    );
    expect(promptHistoryPath("postgresql://127.0.0.1/test", "bob", { HOME: "/home/u" })).toBe(
      "/home/u/.local/state/persona/history/127.0.0.1_5432_test/bob",
    );
    expect(promptHistoryPath(url, "bob", { XDG_STATE_HOME: "/state" })).not.toContain("s3cret");
  });

  it("appends entries to a private file and reads them back newest first, once each, skipping damaged lines", () => {
    const file = join(dir, "nested", "h", "carol");
    appendPromptHistory(file, "first");
    appendPromptHistory(file, `two${NEWLINE_MARK}lines`);
    appendPromptHistory(file, "first");
    writeFileSync(file, `${readFileSync(file, "utf8")}{"cut short\n`);
    expect(loadPromptHistory(file)).toEqual(["first", `two${NEWLINE_MARK}lines`]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "nested", "h")).mode & 0o777).toBe(0o700);
    expect(loadPromptHistory(join(dir, "missing"))).toEqual([]);
  });

  it("keeps at most the limit, and compacts a file that grew past twice the limit", () => {
    const file = join(dir, "many");
    for (let i = 0; i < 25; i++) appendPromptHistory(file, `line ${i}`);
    expect(loadPromptHistory(file, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${24 - i}`));
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(10);
  });

  it("is off with --no-history or PERSONA_HISTORY=off, and refuses other values", () => {
    expect(promptHistoryEnabled(false, {})).toBe(true);
    expect(promptHistoryEnabled(true, {})).toBe(false);
    expect(promptHistoryEnabled(false, { PERSONA_HISTORY: "OFF" })).toBe(false);
    expect(promptHistoryEnabled(false, { PERSONA_HISTORY: "on" })).toBe(true);
    expect(() => promptHistoryEnabled(false, { PERSONA_HISTORY: "no" })).toThrow(/PERSONA_HISTORY must be "on" or "off"/);
  });
});

describe("endpoint errors", () => {
  it("are told apart from other failures and described with the URL and the model", () => {
    expect(isEndpointError(Object.assign(new Error("Connection error."), { name: "APIConnectionError" }))).toBe(true);
    expect(isEndpointError(Object.assign(new Error("500 boom"), { status: 500 }))).toBe(true);
    expect(isEndpointError(new TypeError("cannot read x of undefined"))).toBe(false);
    expect(describeEndpointError(new Error("Connection error.\nmore"), { baseURL: "http://h:1/v1", model: "m" })).toBe(
      "the model endpoint failed (http://h:1/v1, model m): Connection error",
    );
    expect(describeEndpointError(new Error("401"), { model: "gpt-4o-mini" })).toMatch(/\(https:\/\/api\.openai\.com\/v1, model gpt-4o-mini\)/);
  });
});
