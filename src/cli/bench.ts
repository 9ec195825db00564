import { existsSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  ALL_CONDITIONS,
  ALL_PREFEVAL_CONDITIONS,
  BENCH_ROLES,
  consoleTable,
  DEFAULT_FILLERS,
  DEFAULT_MAX_FAILURE_RATE,
  describeModels,
  episodeSettingsFor,
  estimatePrefEval,
  estimateRun,
  formatEstimate,
  formatPrefEvalEstimate,
  openAICompatibleFactory,
  parseConditions,
  parseFillers,
  parseForms,
  parsePrefEvalConditions,
  parseProtocol,
  prefEvalConsoleTable,
  PrefEvalSelectionError,
  PREFEVAL_ROLES,
  rebuildPrefEvalReport,
  rebuildReport,
  resolveBenchModels,
  resolveRoleModels,
  resolveSemanticGuard,
  runBench,
  runPrefEval,
  suiteOfFolder,
  type BenchRole,
  type BenchRunResult,
  type BenchSummary,
  type PrefEvalRunResult,
} from "../bench.js";
import type { CliCommand, CommandFlags, CommandIO } from "./command.js";
import { UsageError } from "./errors.js";
import { stopOnInterrupt } from "./interrupt.js";
import { MAX_CONCURRENCY, parseInteger, parseOnOff, parsePositiveInteger } from "./settings.js";

/** `--data mini` selects the small fixture shipped with the package. */
export const SHIPPED_FIXTURE = "mini";

/** The shipped fixture folder, found from the running CLI (dist/cli/main.js → package root). */
export function shippedFixtureDir(): string {
  const script = process.argv[1] ? realpathSync(process.argv[1]) : "";
  return join(dirname(dirname(dirname(script))), "fixtures", "personabench-mini");
}

const ROLE_FLAGS = BENCH_ROLES.flatMap((role) => [`${role}-model`, `${role}-base-url`]);

/** `--max-failure-rate`: "5%" or a fraction such as 0.05. */
export function parseFailureRate(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_FAILURE_RATE;
  const text = value.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  const rate = percent ? Number(percent[1]) / 100 : /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new UsageError(`--max-failure-rate must be a percentage like 5% or a fraction from 0 to 1, got "${value}"`);
  }
  return rate;
}

function dataDir(flags: CommandFlags): string {
  const dataFlag = flags.text("data");
  if (!dataFlag) {
    throw new UsageError(`--data <dir> is required: a folder of PersonaBench persona files, or "${SHIPPED_FIXTURE}" for the shipped fixture`);
  }
  const data = dataFlag === SHIPPED_FIXTURE ? shippedFixtureDir() : resolve(dataFlag);
  if (!existsSync(data)) throw new UsageError(`--data: no folder at ${data}`);
  return data;
}

/** The benchmark suites of `persona bench` (`--suite`). */
export const BENCH_SUITES = ["personabench", "prefeval"] as const;
export type BenchSuite = (typeof BENCH_SUITES)[number];

/** Flags only one suite reads: giving one to the other suite is a usage error. */
const SUITE_ONLY_FLAGS: Record<BenchSuite, string[]> = {
  personabench: ["protocol", "personas", "scenes", "repeats", "turns", "rag-top", "history-tokens"],
  prefeval: ["forms", "topics", "items", "fillers", "semantic-guard"],
};
const SUITE_ONLY_SWITCHES: Record<BenchSuite, string[]> = { personabench: ["no-judge", "chatbot-sees-scene"], prefeval: [] };

/** `--suite`: personabench (the default) or prefeval. */
export function parseSuite(value: string | undefined): BenchSuite {
  const suite = (value ?? "personabench").trim();
  if (!(BENCH_SUITES as readonly string[]).includes(suite)) throw new UsageError(`--suite must be ${BENCH_SUITES.join(" or ")}, got "${value}"`);
  return suite as BenchSuite;
}

function rejectOtherSuitesFlags(suite: BenchSuite, flags: CommandFlags): void {
  const other = suite === "prefeval" ? "personabench" : "prefeval";
  const given = [
    ...SUITE_ONLY_FLAGS[other].filter((flag) => flags.text(flag) !== undefined),
    ...SUITE_ONLY_SWITCHES[other].filter((flag) => flags.on(flag)),
  ];
  if (given.length) {
    throw new UsageError(`${given.map((f) => `--${f}`).join(", ")} belong${given.length === 1 ? "s" : ""} to --suite ${other}; the ${suite} suite does not read ${given.length === 1 ? "it" : "them"}`);
  }
}

/** Why the command must exit non-zero, or [] when it may exit 0. */
export function exitReasons(
  summary: Pick<BenchSummary, "breaches" | "maxFailureRate">,
  extra: { failures: number; interrupted: boolean; chartError?: string },
): string[] {
  const reasons: string[] = [];
  if (extra.interrupted) reasons.push("interrupted: rerun the same command to continue");
  if (extra.failures > 0) reasons.push(`${extra.failures} failures (recorded in results.jsonl; rerun the same command to retry them)`);
  if (summary.breaches.length) {
    const roles = [...new Set(summary.breaches.map((b) => `${b.role} (${b.condition})`))];
    reasons.push(`failure or unreadable rate above ${Math.round(summary.maxFailureRate * 1000) / 10}% for ${roles.join(", ")}`);
  }
  if (extra.chartError) reasons.push(`charts were not rendered: ${extra.chartError}`);
  return reasons;
}

/** `persona bench`: runs PersonaBench conditions against the configured endpoints and writes the report. */
export async function runBenchCommand(
  flags: CommandFlags,
  io: CommandIO,
  signal?: AbortSignal,
): Promise<BenchRunResult | PrefEvalRunResult | undefined> {
  const out = flags.text("out") ?? "bench-out";
  const given = flags.text("suite");
  let suite = parseSuite(given);
  if (flags.on("report-only") && given === undefined && suiteOfFolder(out) === "prefeval") suite = "prefeval";
  rejectOtherSuitesFlags(suite, flags);
  if (suite === "prefeval") return runPrefEvalCommand(flags, io, signal);
  const personas = parsePositiveInteger("--personas", flags.text("personas"));
  const scenes = parsePositiveInteger("--scenes", flags.text("scenes"));
  const maxFailureRate = parseFailureRate(flags.text("max-failure-rate"));

  if (flags.on("report-only")) {
    if (suiteOfFolder(out) === "prefeval") throw new UsageError(`${out} holds a PrefEval run: use --suite prefeval (or leave --suite out) with --report-only`);
    const report = await rebuildReport({ out, personas, scenes, maxFailureRate });
    io.output.write(`${consoleTable(report.summary).join("\n")}\n\nreport rebuilt without any endpoint: ${join(report.outDir, "report.md")}\n`);
    const reasons = exitReasons(report.summary, { failures: report.summary.conditions.reduce((s, c) => s + c.failures.length, 0), interrupted: false, chartError: report.chartError });
    if (reasons.length) throw new Error(reasons.join("; "));
    return undefined;
  }

  const data = dataDir(flags);
  let conditions;
  let protocol;
  try {
    conditions = parseConditions(flags.text("conditions") ?? ALL_CONDITIONS);
  } catch (error) {
    throw new UsageError(`--conditions: ${(error as Error).message}`);
  }
  try {
    protocol = parseProtocol(flags.text("protocol"));
  } catch (error) {
    throw new UsageError(`--protocol: ${(error as Error).message}`);
  }
  const settings = episodeSettingsFor(protocol, {
    turnCap: parsePositiveInteger("--turns", flags.text("turns"), 100),
    ragTop: parsePositiveInteger("--rag-top", flags.text("rag-top"), 100),
    historyBudgetTokens: parsePositiveInteger("--history-tokens", flags.text("history-tokens"), 2_000_000),
    judge: !flags.on("no-judge"),
    ...(flags.on("chatbot-sees-scene") ? { sceneToChatbot: true } : {}),
  });
  const window = protocol.window;
  if (window && settings.turnCap * 2 > window.messages) {
    throw new UsageError(
      `--turns ${settings.turnCap}: the ${protocol.name} protocol's learner reads at most ${window.messages} messages a session; use --turns ${Math.floor(window.messages / 2)} or fewer, or --protocol default`,
    );
  }
  const repeats = parsePositiveInteger("--repeats", flags.text("repeats"), 100) ?? 1;
  const concurrency = parsePositiveInteger("--concurrency", flags.text("concurrency"), MAX_CONCURRENCY) ?? 1;
  const maxRetries = parseInteger("--max-retries", flags.text("max-retries"), { min: 0, max: 20 }) ?? 3;

  if (flags.on("dry-run")) {
    const estimate = estimateRun({ data, conditions, personas, scenes, repeats, settings });
    io.output.write(`${formatEstimate(estimate).join("\n")}\n`);
    return undefined;
  }

  const roleFlags: Partial<Record<BenchRole, { model?: string; baseURL?: string }>> = {};
  for (const role of BENCH_ROLES) {
    roleFlags[role] = { model: flags.text(`${role}-model`), baseURL: flags.text(`${role}-base-url`) };
  }
  // Resolve every endpoint first: a missing one must fail before anything is written.
  const models = resolveBenchModels(roleFlags, process.env, {
    temperatures: protocol.userTemperature !== undefined ? { user: protocol.userTemperature } : {},
  });
  const result = await runBench({
    data,
    out,
    conditions,
    personas,
    scenes,
    repeats,
    concurrency,
    settings,
    models: openAICompatibleFactory(models, maxRetries),
    modelInfo: describeModels(models),
    progress: io.errors as NodeJS.WritableStream & { isTTY?: boolean },
    signal,
    maxFailureRate,
  });
  io.output.write(
    `${consoleTable(result.summary).join("\n")}\n\n${result.scenesRun} scenes run, ${result.scenesSkipped} already done, ${result.failures} failures${
      result.interrupted ? " (interrupted: rerun the same command to continue)" : ""
    }\nreport: ${join(result.outDir, "report.md")}\n`,
  );
  // Thrown after the output is written, so the process exits with code 1 and one line saying why.
  const reasons = exitReasons(result.summary, result);
  if (reasons.length) throw new Error(reasons.join("; "));
  return result;
}

function prefEvalDataDir(flags: CommandFlags): string {
  const dataFlag = flags.text("data");
  if (!dataFlag) throw new UsageError("--data <dir> is required: PrefEval's benchmark_dataset folder (explicit_preference/, implicit_preference/, filtered_inter_turns.json)");
  if (dataFlag === SHIPPED_FIXTURE) throw new UsageError(`--data ${SHIPPED_FIXTURE} is the PersonaBench fixture; no PrefEval data ships with the package (its license is CC BY-NC): pass PrefEval's benchmark_dataset folder`);
  const data = resolve(dataFlag);
  if (!existsSync(data)) throw new UsageError(`--data: no folder at ${data}`);
  return data;
}

/** `persona bench --suite prefeval`: runs the PrefEval suite and writes its report. */
async function runPrefEvalCommand(flags: CommandFlags, io: CommandIO, signal?: AbortSignal): Promise<PrefEvalRunResult | undefined> {
  const out = flags.text("out") ?? "bench-out";
  const maxFailureRate = parseFailureRate(flags.text("max-failure-rate"));
  if (flags.on("report-only")) {
    const report = await rebuildPrefEvalReport({ out, maxFailureRate });
    io.output.write(`${prefEvalConsoleTable(report.summary).join("\n")}\n\nreport rebuilt without any endpoint: ${join(report.outDir, "report.md")}\n`);
    const failures = report.summary.conditions.reduce((s, c) => s + c.failures.length + c.judgeFailed + (c.stored?.failed ?? 0), 0);
    const reasons = exitReasons(report.summary, { failures, interrupted: false, chartError: report.chartError });
    if (reasons.length) throw new Error(reasons.join("; "));
    return undefined;
  }
  const data = prefEvalDataDir(flags);
  const parse = <T>(name: string, value: string | undefined, parser: (text: string) => T): T | undefined => {
    if (value === undefined) return undefined;
    try {
      return parser(value);
    } catch (error) {
      throw new UsageError(`--${name}: ${(error as Error).message}`);
    }
  };
  const conditions = parse("conditions", flags.text("conditions") ?? ALL_PREFEVAL_CONDITIONS, parsePrefEvalConditions)!;
  const forms = parse("forms", flags.text("forms"), parseForms);
  const fillers = parse("fillers", flags.text("fillers"), parseFillers) ?? DEFAULT_FILLERS;
  const topics = flags.text("topics")?.split(",").map((t) => t.trim()).filter(Boolean);
  if (topics && topics.length === 0) throw new UsageError("--topics: no topics given; for example --topics shop_technology");
  const items = parsePositiveInteger("--items", flags.text("items"), 100_000);
  const concurrency = parsePositiveInteger("--concurrency", flags.text("concurrency"), MAX_CONCURRENCY) ?? 1;
  const maxRetries = parseInteger("--max-retries", flags.text("max-retries"), { min: 0, max: 20 }) ?? 3;
  let semanticGuard: boolean;
  try {
    semanticGuard = resolveSemanticGuard(parseOnOff("--semantic-guard", flags.text("semantic-guard")));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
  const selection = { data, conditions, forms, topics, items, fillers };
  if (flags.on("dry-run")) {
    let estimate;
    try {
      estimate = estimatePrefEval({ ...selection, semanticGuard });
    } catch (error) {
      throw error instanceof PrefEvalSelectionError ? new UsageError(error.message) : error;
    }
    io.output.write(`${formatPrefEvalEstimate(estimate).join("\n")}\n`);
    return undefined;
  }
  const roleFlags: Partial<Record<BenchRole, { model?: string; baseURL?: string }>> = {};
  for (const role of BENCH_ROLES) roleFlags[role] = { model: flags.text(`${role}-model`), baseURL: flags.text(`${role}-base-url`) };
  const unused = BENCH_ROLES.filter((role) => !PREFEVAL_ROLES.includes(role) && (roleFlags[role]?.model || roleFlags[role]?.baseURL));
  if (unused.length) throw new UsageError(`the prefeval suite has no ${unused.join(" or ")} role: drop --${unused[0]}-model / --${unused[0]}-base-url`);
  // Resolve every endpoint first: a missing one must fail before anything is written.
  const models = resolveRoleModels(PREFEVAL_ROLES, roleFlags, process.env);
  const result = await runPrefEval({
    ...selection,
    out,
    concurrency,
    semanticGuard,
    models: openAICompatibleFactory(models, maxRetries),
    modelInfo: describeModels(models),
    progress: io.errors as NodeJS.WritableStream & { isTTY?: boolean },
    signal,
    maxFailureRate,
  }).catch((error: unknown) => {
    throw error instanceof PrefEvalSelectionError ? new UsageError(error.message) : error;
  });
  io.output.write(
    `${prefEvalConsoleTable(result.summary).join("\n")}\n\n${result.itemsRun} item runs, ${result.itemsSkipped} already done, ${result.failures} failures${
      result.interrupted ? " (interrupted: rerun the same command to continue)" : ""
    }\nreport: ${join(result.outDir, "report.md")}\n`,
  );
  const reasons = exitReasons(result.summary, result);
  if (reasons.length) throw new Error(reasons.join("; "));
  return result;
}

export const benchCommand: CliCommand = {
  name: "bench",
  usage:
    "[--suite personabench|prefeval] --data <dir|mini> [--out <dir>] [--conditions none,golden,learning:3,...] [--protocol default|release] [--personas N] [--scenes M] [--repeats R] [--turns T] [--concurrency C] [--rag-top 2] [--history-tokens 12000] [--no-judge] [--chatbot-sees-scene] [--max-failure-rate 5%] [--max-retries 3] [--dry-run] [--report-only] [--<role>-model <name>] [--<role>-base-url <url>]; --suite prefeval: --data <PrefEval benchmark_dataset> [--conditions none,persona,in-context,reminder,golden] [--forms explicit,choice,persona] [--topics a,b] [--items N] [--fillers 0,5,10] [--semantic-guard on|off]",
  summary:
    "Run the PersonaBench protocol (simulated user, simulated APIs, judges) for each condition; resumable; writes results.jsonl, summary.json, report.md and charts. --dry-run estimates calls and tokens; --report-only rebuilds the report from --out. Exits 1 on failures or when a role's failure or unreadable rate passes --max-failure-rate. Roles: chatbot, learner, user, tool, judge (env BENCH_<ROLE>_MODEL / _BASE_URL / _API_KEY / _TEMPERATURE). --suite prefeval runs PrefEval's preference-following protocol (chatbot, learner and judge roles; the data is not shipped).",
  flags: [
    "data", "out", "conditions", "protocol", "personas", "scenes", "repeats", "turns", "concurrency", "rag-top", "history-tokens",
    "max-failure-rate", "max-retries", ...ROLE_FLAGS,
    "suite", "forms", "topics", "items", "fillers", "semantic-guard",
  ],
  booleanFlags: ["no-judge", "chatbot-sees-scene", "dry-run", "report-only"],
  run: async (flags, io) => {
    const work = flags.text("suite")?.trim() === "prefeval" ? "item runs" : "scenes";
    await stopOnInterrupt(io, `persona bench: stopping after the ${work} in flight (Ctrl-C again to quit now; rerun to resume)`, (signal) =>
      runBenchCommand(flags, io, signal),
    );
  },
};
