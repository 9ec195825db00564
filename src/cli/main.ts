#!/usr/bin/env node
import { parseArgs } from "node:util";
import { ConfigurationError } from "../models/openaiCompatible.js";
import type { CliCommand, CommandFlags } from "./command.js";
import { COMMANDS } from "./commands.js";
import { PersistenceError } from "../store/errors.js";
import { CommandFailedError, UsageError } from "./errors.js";

const ENVIRONMENT = `environment:
  OPENAI_API_KEY, OPENAI_BASE_URL  model endpoint (any OpenAI-compatible server)
  PERSONA_MODEL                    model name (default gpt-4o-mini)
  PERSONA_DB                       database (default ./persona.db)
  PERSONA_SEMANTIC_GUARD           "off" turns the learning-time semantic guard off (default on)`;

function usage(commands: CliCommand[]): string {
  const lines = commands.map((command) => `  ${command.name} ${command.usage}\n        ${command.summary}`);
  return `usage: persona <command> [options]\n\ncommands:\n${lines.join("\n")}\n\n${ENVIRONMENT}`;
}

/** Runs one CLI invocation; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage(COMMANDS)}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"; run persona --help`);
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`usage: persona ${command.name} ${command.usage}\n${command.summary}\n`);
    return 0;
  }
  const options = Object.fromEntries([
    ...command.flags.map((flag) => [flag, { type: "string" as const }]),
    ...(command.booleanFlags ?? []).map((flag) => [flag, { type: "boolean" as const }]),
  ]);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]} (persona ${command.name} --help)`);
  }
  const flags: CommandFlags = {
    text: (flag) => (typeof values[flag] === "string" ? (values[flag] as string) : undefined),
    on: (flag) => values[flag] === true,
  };
  await command.run(flags, {
    input: process.stdin,
    output: process.stdout,
    errors: process.stderr,
    interactive: Boolean(process.stdin.isTTY),
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known =
      error instanceof UsageError ||
      error instanceof ConfigurationError ||
      error instanceof PersistenceError ||
      error instanceof CommandFailedError;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`persona: ${message.split("\n")[0]}\n`);
    if (!known && process.env.PERSONA_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    // 2: the command line is wrong (usage, or a --db that is no database); 1: something failed.
    const badInput = error instanceof UsageError || (error instanceof PersistenceError && error.badInput);
    process.exitCode = badInput ? 2 : 1;
  },
);
