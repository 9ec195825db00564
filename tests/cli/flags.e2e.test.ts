import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { assertCliBuilt, runBuiltCli, type CliRun } from "../helpers/runBuiltCli.js";
import { SEED_FILE as seeds } from "../generate/helpers/fixtures.js";

/**
 * Every command's flags through the built CLI: bad numbers, empty values,
 * repeated, unknown and misplaced flags are one-line usage errors (exit 2)
 * that name the flag and what it takes, and nothing is written.
 */
const ROOT = resolve(__dirname, "../..");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const HUGE = "99999999999999999999";
// Each case starts a CLI process (about 1.5 s for bench and generate on a busy 2-core machine).
jest.setTimeout(180_000);

type Case = [args: string[], message: RegExp];

describe("persona CLI flags", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let defaultDb: string;
  let corpus: string;

  beforeAll(() => {
    assertCliBuilt();
    dir = mkdtempSync(join(tmpdir(), "persona-flags-"));
    defaultDb = join(dir, "default.db");
    corpus = join(dir, "corpus.jsonl");
    writeFileSync(corpus, `${JSON.stringify({ id: "b1", value: "Likes short answers", field: "Preference.Preferred_Styles", label: "benign", language: "en", category: "style" })}\n`);
    const { OPENAI_API_KEY: _key, PERSONA_MODEL: _model, ...rest } = process.env;
    // An endpoint that answers nothing: a usage error must come before any call.
    env = { ...rest, PERSONA_DB: defaultDb, OPENAI_BASE_URL: "http://127.0.0.1:9/v1" };
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the cases two at a time (2 cores) and checks each: exit 2, one line on stderr naming the problem, no output. */
  async function expectUsageErrors(cases: Case[]): Promise<void> {
    const results: Array<{ args: string[]; run: CliRun }> = [];
    for (let start = 0; start < cases.length; start += 2) {
      const batch = cases.slice(start, start + 2);
      results.push(...(await Promise.all(batch.map(async ([args]) => ({ args, run: await runBuiltCli(args, "", env) })))));
    }
    results.forEach(({ args, run }, index) => {
      const seen = { args: args.join(" "), code: run.code, stdout: run.stdout, lines: run.stderr.trim().split("\n").length };
      expect(seen).toEqual({ args: args.join(" "), code: 2, stdout: "", lines: 1 });
      expect({ args: args.join(" "), stderr: run.stderr }).toEqual({ args: args.join(" "), stderr: expect.stringMatching(cases[index]![1]) });
    });
    expect(existsSync(defaultDb)).toBe(false);
  }

  it("--version, -V and version print the package version", async () => {
    for (const args of [["--version"], ["-V"], ["version"]]) {
      const run = await runBuiltCli(args, "", env);
      expect({ args, ...run }).toEqual({ args, code: 0, stdout: `${VERSION}\n`, stderr: "" });
    }
    expect((await runBuiltCli(["--help"], "", env)).stdout).toContain("persona --version");
  });

  it("unknown commands and options before the command are usage errors with a hint", async () => {
    await expectUsageErrors([
      [["shwo", "--user", "a"], /unknown command "shwo" \(did you mean show\?\); run persona --help/],
      [["--verbose"], /unknown option "--verbose" before the command: persona takes a command first \(chat, show,.*\), or --help, --version/],
      [["version", "extra"], /version takes no arguments, got "extra"/],
    ]);
  });

  it("chat: --update-every is an integer from 1 to 10000; --db and --model refuse empty values", async () => {
    const db = join(dir, "chat.db");
    const chat = (...args: string[]) => ["chat", "--user", "a", "--db", db, ...args];
    await expectUsageErrors([
      [chat("--update-every", "-1"), /^persona: --update-every must be a positive integer from 1 to 10000, got "-1"$/m],
      [chat("--update-every", HUGE), /--update-every must be a positive integer from 1 to 10000, got "99999999999999999999"/],
      [chat("--update-every", "2.5"), /--update-every must be a positive integer from 1 to 10000, got "2\.5"/],
      [chat("--update-every", "1e3"), /--update-every must be a positive integer from 1 to 10000, got "1e3"/],
      [chat("--update-every=-3"), /--update-every must be a positive integer from 1 to 10000, got "-3"/],
      [["chat", "--user", "a", "--db", ""], /--db needs a value \(--db <path\|postgres-url>\), got an empty string/],
      [chat("--model", ""), /--model needs a value \(--model <name>\), got an empty string/],
      [chat("--model", "   "), /--model needs a value \(--model <name>\), got an empty string/],
      [chat("--user", "b"), /--user given twice \("a", then "b"\): give it once/],
      [chat("--thread"), /--thread needs a value \(--thread <id>\)$/m],
      [chat("--thread", "--model", "m"), /--thread needs a value \(--thread <id>\), got the flag --model \(write --thread=--model/],
      [chat("--updte-every", "2"), /Unknown option '--updte-every' for persona chat \(did you mean --update-every\?\); run persona chat --help/],
      [chat("hello"), /unexpected argument "hello": persona chat takes only flags/],
    ]);
    expect(existsSync(db)).toBe(false);
  });

  it("show, history, diff, rollback, export, forget, doctor: values, repeats, switches and unknown flags", async () => {
    const db = join(dir, "user.db");
    await expectUsageErrors([
      [["show", "--user", "a", "--db="], /--db needs a value \(--db <path\|postgres-url>\), got an empty string/],
      [["show", "--user", "a", "alice"], /unexpected argument "alice": persona show takes only flags \(--name value\); run persona show --help/],
      [["show", "--usr", "a"], /Unknown option '--usr' for persona show \(did you mean --user\?\)/],
      [["history", "--user", ""], /--user needs a value \(--user <id>\), got an empty string/],
      [["history", "--user", "a", "--json=yes"], /--json is a switch and takes no value, got "--json=yes"/],
      [["history", "--user", "a", "--json", "--json"], /--json given twice: give it once/],
      [["diff", "--user", "a", "--db", db, "--from", "-1"], /--from must be a version number from 0 to 1000000000 \(0 is the empty persona; see persona history\), got "-1"/],
      [["diff", "--user", "a", "--db", db, "--from", "0", "--to", HUGE], /--to must be a version number from 0 to 1000000000 .*got "99999999999999999999"/],
      [["diff", "--user", "a", "--db", db, "--from", "1.5"], /--from must be a version number from 0 to 1000000000/],
      [["rollback", "--user", "a", "--db", db, "--to", "-2"], /--to must be a version number from 0 to 1000000000 .*got "-2"/],
      [["rollback", "--user", "a", "--db", db, "--to", HUGE], /--to must be a version number from 0 to 1000000000 .*got "99999999999999999999"/],
      [["rollback", "--user", "a", "--db", db, "--to", "1", "--to", "2"], /--to given twice \("1", then "2"\): give it once/],
      [["export", "--user", "a", "--db", db, "--out", ""], /--out needs a value \(--out <file>\), got an empty string/],
      [["export", "--user", "a", "--out", "--db", db], /--out needs a value \(--out <file>\), got the flag --db/],
      [["forget", "--user", "a", "--db", db, "--yes=true"], /--yes is a switch and takes no value, got "--yes=true"/],
      [["forget", "--user", "a", "--db", db, "--yes", "--compact", "--compact"], /--compact given twice: give it once/],
      [["doctor", "--user", "a", "--db", db, "--repair", "now"], /unexpected argument "now": persona doctor takes only flags/],
      [["doctor", "--user", "a", "--db", db, "-r"], /Unknown option '-r' for persona doctor; run persona doctor --help/],
    ]);
    expect(existsSync(db)).toBe(false);
  });

  it("guard-eval: --concurrency from 1 to 64, no empty --corpus or --model", async () => {
    await expectUsageErrors([
      [["guard-eval", "--corpus", corpus, "--concurrency", "0"], /--concurrency must be a positive integer from 1 to 64, got "0"/],
      [["guard-eval", "--corpus", corpus, "--concurrency", "65"], /--concurrency must be a positive integer from 1 to 64, got "65"/],
      [["guard-eval", "--corpus", corpus, "--concurrency", "-4"], /--concurrency must be a positive integer from 1 to 64, got "-4"/],
      [["guard-eval", "--corpus", ""], /--corpus needs a value \(--corpus <file\.jsonl>\), got an empty string/],
      [["guard-eval", "--corpus", corpus, "--model", ""], /--model needs a value \(--model <name>\), got an empty string/],
      [["guard-eval", "--corpus", corpus, "--corpus", corpus], /--corpus given twice/],
      [["guard-eval", "--corpus", corpus, "--semantic-al"], /Unknown option '--semantic-al' for persona guard-eval \(did you mean --semantic-all\?\)/],
    ]);
  });

  it("bench: every count has a range, checked even with --dry-run; no empty values", async () => {
    const bench = (...args: string[]) => ["bench", "--data", "mini", "--out", join(dir, "bench-out"), "--dry-run", ...args];
    const prefeval = (...args: string[]) => ["bench", "--suite", "prefeval", "--data", dir, "--out", join(dir, "pe-out"), "--dry-run", ...args];
    await expectUsageErrors([
      [bench("--concurrency", "1000"), /--concurrency must be a positive integer from 1 to 64, got "1000"/],
      [bench("--max-retries", "-1"), /--max-retries must be a whole number from 0 to 20, got "-1"/],
      [bench("--max-retries", "21"), /--max-retries must be a whole number from 0 to 20, got "21"/],
      [bench("--repeats", "101"), /--repeats must be a positive integer from 1 to 100, got "101"/],
      [bench("--turns", "0"), /--turns must be a positive integer from 1 to 100, got "0"/],
      [bench("--rag-top", HUGE), /--rag-top must be a positive integer from 1 to 100/],
      [bench("--history-tokens", "2000001"), /--history-tokens must be a positive integer from 1 to 2000000, got "2000001"/],
      [bench("--personas", HUGE), /--personas must be a positive integer from 1 to 10000, got "99999999999999999999"/],
      [bench("--scenes", "-2"), /--scenes must be a positive integer from 1 to 10000, got "-2"/],
      [bench("--personas", "1", "--personas", "2"), /--personas given twice \("1", then "2"\)/],
      [["bench", "--data", "", "--dry-run"], /--data needs a value \(--data <dir\|mini>\), got an empty string/],
      [bench("--conditions", " "), /--conditions needs a value .*got an empty string/],
      [bench("--chatbot-model", ""), /--chatbot-model needs a value, got an empty string/],
      [bench("--dry-run"), /--dry-run given twice: give it once/],
      [bench("--judge"), /Unknown option '--judge' for persona bench/],
      [prefeval("--items", HUGE), /--items must be a positive integer from 1 to 100000, got "99999999999999999999"/],
      [prefeval("--concurrency", "65"), /--concurrency must be a positive integer from 1 to 64, got "65"/],
    ]);
    expect(existsSync(join(dir, "bench-out"))).toBe(false);
  });

  it("generate: counts have ranges, checked before the endpoints; no empty values", async () => {
    const out = join(dir, "gen-out");
    const generate = (...args: string[]) => ["generate", "--seeds", seeds, "--out", out, ...args];
    await expectUsageErrors([
      [generate("--personas", "0"), /--personas must be a positive integer from 1 to 10000, got "0"/],
      [generate("--personas", HUGE), /--personas must be a positive integer from 1 to 10000/],
      [generate("--scenes", "1001"), /--scenes must be a positive integer from 1 to 1000, got "1001"/],
      [generate("--concurrency", "65"), /--concurrency must be a positive integer from 1 to 64, got "65"/],
      [generate("--no-api-scenes", "-1"), /--no-api-scenes must be a whole number from 0 to 1000, got "-1"/],
      [generate("--specific-scenes", "1.5"), /--specific-scenes must be a whole number from 0 to 1000, got "1\.5"/],
      [["generate", "--population", "", "--out", out], /--population needs a value \(--population "<text>"\), got an empty string/],
      [["generate", "--seeds", seeds, "--out", ""], /--out needs a value \(--out <dir>\), got an empty string/],
      [generate("--out", out), /--out given twice/],
      [generate("--persona", "2"), /Unknown option '--persona' for persona generate \(did you mean --personas\?\)/],
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it("npx persona runs the built CLI from the checkout through the bin entry", async () => {
    const run = promisify(execFile);
    const version = await run("npx", ["--no-install", "persona", "--version"], { cwd: ROOT, env });
    expect(version.stdout).toBe(`${VERSION}\n`);
    const missing = join(dir, "npx.db");
    const show = await run("npx", ["--no-install", "persona", "show", "--user", "alice", "--db", missing], { cwd: ROOT, env }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(show).toMatchObject({ code: 2, stderr: `persona: no database at ${missing} (pass --db or set PERSONA_DB)\n` });
  });
});
