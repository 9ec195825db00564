#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { ConfigurationError } from "../models/openaiCompatible.js";
import type { CliCommand } from "./command.js";
import { COMMANDS } from "./commands.js";
import { closestName, parseCommandFlags } from "./parseFlags.js";
import { PersistenceError } from "../store/errors.js";
import { CommandFailedError, UsageError } from "./errors.js";

const ENVIRONMENT = `environment:
  OPENAI_API_KEY, OPENAI_BASE_URL  model endpoint (any OpenAI-compatible server)
  PERSONA_MODEL                    model name (default gpt-4o-mini)
  PERSONA_DB                       database (default ./persona.db)
  PERSONA_SEMANTIC_GUARD           "off" turns the learning-time semantic guard off (default on)
  PERSONA_HISTORY                  "off": persona chat keeps no prompt history file (default on)`;

function usage(commands: CliCommand[]): string {
  const lines = commands.map((command) => `  ${command.name} ${command.usage}\n        ${command.summary}`);
  return `usage: persona <command> [options]\n       persona --version\n\ncommands:\n${lines.join("\n")}\n\n${ENVIRONMENT}`;
}

/** The version in the package.json next to dist/ (and next to src/ in a checkout). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  if (typeof manifest.version !== "string") throw new Error("package.json has no version");
  return manifest.version;
}

/** Runs one CLI invocation; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage(await Promise.all(COMMANDS.map((entry) => entry.load())))}\n`);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    if (rest.length) throw new UsageError(`${name} takes no arguments, got "${rest[0]}"`);
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const entry = COMMANDS.find((candidate) => candidate.name === name);
  if (!entry) {
    const names = COMMANDS.map((candidate) => candidate.name);
    if (name.startsWith("-")) {
      throw new UsageError(`unknown option "${name}" before the command: persona takes a command first (${names.join(", ")}), or --help, --version`);
    }
    const near = closestName(name, names);
    throw new UsageError(`unknown command "${name}"${near ? ` (did you mean ${near}?)` : ""}; run persona --help`);
  }
  const command = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`usage: persona ${command.name} ${command.usage}\n${command.summary}\n`);
    return 0;
  }
  const flags = parseCommandFlags(command, rest);
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
