import { existsSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ALL_CONDITIONS, parseConditions } from "../bench/conditions.js";
import { BENCH_ROLES, type BenchRole } from "../bench/cost.js";
import { DEFAULT_EPISODE_SETTINGS } from "../bench/episode.js";
import { describeModels, openAICompatibleFactory, resolveBenchModels, type RoleFlags } from "../bench/models.js";
import { runBench, type BenchRunResult } from "../bench/runBench.js";
import type { CliCommand, CommandFlags, CommandIO } from "./command.js";
import { UsageError } from "./errors.js";
import { parsePositiveInteger } from "./settings.js";

/** `--data mini` selects the small fixture shipped with the package. */
export const SHIPPED_FIXTURE = "mini";

/** The shipped fixture folder, found from the running CLI (dist/cli/main.js → package root). */
export function shippedFixtureDir(): string {
  const script = process.argv[1] ? realpathSync(process.argv[1]) : "";
  return join(dirname(dirname(dirname(script))), "fixtures", "personabench-mini");
}

const ROLE_FLAGS = BENCH_ROLES.flatMap((role) => [`${role}-model`, `${role}-base-url`]);

/** `persona bench`: runs PersonaBench conditions against the configured endpoints and writes the report. */
export async function runBenchCommand(flags: CommandFlags, io: CommandIO, signal?: AbortSignal): Promise<BenchRunResult> {
  const dataFlag = flags.text("data");
  if (!dataFlag) {
    throw new UsageError(`--data <dir> is required: a folder of PersonaBench persona files, or "${SHIPPED_FIXTURE}" for the shipped fixture`);
  }
  const data = dataFlag === SHIPPED_FIXTURE ? shippedFixtureDir() : resolve(dataFlag);
  if (!existsSync(data)) throw new UsageError(`--data: no folder at ${data}`);
  let conditions;
  try {
    conditions = parseConditions(flags.text("conditions") ?? ALL_CONDITIONS);
  } catch (error) {
    throw new UsageError(`--conditions: ${(error as Error).message}`);
  }
  const turnCap = parsePositiveInteger("--turns", flags.text("turns")) ?? DEFAULT_EPISODE_SETTINGS.turnCap;
  const ragTop = parsePositiveInteger("--rag-top", flags.text("rag-top")) ?? DEFAULT_EPISODE_SETTINGS.ragTop;
  const historyBudgetTokens =
    parsePositiveInteger("--history-tokens", flags.text("history-tokens")) ??
    DEFAULT_EPISODE_SETTINGS.historyBudgetTokens;
  const personas = parsePositiveInteger("--personas", flags.text("personas"));
  const scenes = parsePositiveInteger("--scenes", flags.text("scenes"));
  const concurrency = parsePositiveInteger("--concurrency", flags.text("concurrency")) ?? 1;
  const roleFlags: Partial<Record<BenchRole, RoleFlags>> = {};
  for (const role of BENCH_ROLES) {
    roleFlags[role] = { model: flags.text(`${role}-model`), baseURL: flags.text(`${role}-base-url`) };
  }
  // Resolve every endpoint first: a missing one must fail before anything is written.
  const settings = resolveBenchModels(roleFlags);
  const result = await runBench({
    data,
    out: flags.text("out") ?? "bench-out",
    conditions,
    personas,
    scenes,
    concurrency,
    settings: {
      turnCap,
      ragTop,
      historyBudgetTokens,
      judge: !flags.on("no-judge"),
      sceneToChatbot: flags.on("chatbot-sees-scene"),
    },
    models: openAICompatibleFactory(settings),
    modelInfo: describeModels(settings),
    progress: io.errors as NodeJS.WritableStream & { isTTY?: boolean },
    signal,
  });
  const results = result.markdown.split("\n## ")[1]?.split("\n").slice(2).filter((line) => line.startsWith("|")) ?? [];
  io.output.write(
    `${results.join("\n")}\n\n${result.scenesRun} scenes run, ${result.scenesSkipped} already done, ${result.failures} failures${
      result.interrupted ? " (interrupted: rerun the same command to continue)" : ""
    }\nreport: ${join(result.outDir, "report.md")}\n`,
  );
  // Thrown after the output is written, so the process exits with code 1 and one line saying why.
  if (result.interrupted) throw new Error("interrupted: rerun the same command to continue");
  if (result.failures > 0) {
    throw new Error(`${result.failures} failures (recorded in ${join(result.outDir, "results.jsonl")}); rerun the same command to retry them`);
  }
  return result;
}

export const benchCommand: CliCommand = {
  name: "bench",
  usage:
    "--data <dir|mini> [--out <dir>] [--conditions none,golden,learning:3,...] [--personas N] [--scenes M] [--turns 5] [--concurrency C] [--rag-top 2] [--history-tokens 12000] [--no-judge] [--chatbot-sees-scene] [--<role>-model <name>] [--<role>-base-url <url>]",
  summary:
    "Run the PersonaBench protocol (simulated user, simulated APIs, judges) for each condition; resumable; writes results.jsonl, summary.json, report.md and charts. Roles: chatbot, learner, user, tool, judge (env BENCH_<ROLE>_MODEL / _BASE_URL / _API_KEY).",
  flags: ["data", "out", "conditions", "personas", "scenes", "turns", "concurrency", "rag-top", "history-tokens", ...ROLE_FLAGS],
  booleanFlags: ["no-judge", "chatbot-sees-scene"],
  run: async (flags, io) => {
    const controller = new AbortController();
    let interrupts = 0;
    const onInterrupt = () => {
      interrupts++;
      if (interrupts === 1) {
        io.errors.write("\npersona bench: stopping after the scenes in flight (Ctrl-C again to quit now; rerun to resume)\n");
        controller.abort();
      } else {
        process.exit(130);
      }
    };
    process.on("SIGINT", onInterrupt);
    try {
      await runBenchCommand(flags, io, controller.signal);
    } finally {
      process.off("SIGINT", onInterrupt);
    }
  },
};
