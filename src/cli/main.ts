#!/usr/bin/env node
import { parseArgs } from "node:util";
import { ConfigurationError } from "../models/openaiCompatible.js";
import { runChat } from "./chat.js";
import { UsageError } from "./errors.js";
import { runShow } from "./show.js";

const USAGE = `usage: persona <command> [options]

commands:
  chat  --user <id> [--thread <id>] [--db <path>] [--update-every <k>] [--model <name>]
        Chat with a persona-aware assistant. One message per line when input is piped.
  show  --user <id> [--db <path>]
        Print the stored persona of a user as JSON, with its version.

environment:
  OPENAI_API_KEY, OPENAI_BASE_URL  model endpoint (any OpenAI-compatible server)
  PERSONA_MODEL                    model name (default gpt-4o-mini)
  PERSONA_DB                       database file (default ./persona.db)`;

const COMMANDS = {
  chat: { user: "string", thread: "string", db: "string", "update-every": "string", model: "string" },
  show: { user: "string", db: "string" },
} as const;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (!(command in COMMANDS)) throw new UsageError(`unknown command "${command}"; run persona --help`);
  const spec = COMMANDS[command as keyof typeof COMMANDS];
  const options = Object.fromEntries(Object.entries(spec).map(([name]) => [name, { type: "string" as const }]));
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false }) as {
      values: Record<string, string | undefined>;
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (command === "chat") {
    await runChat(
      {
        user: values.user,
        thread: values.thread,
        db: values.db,
        updateEvery: values["update-every"],
        model: values.model,
      },
      { input: process.stdin, output: process.stdout, errors: process.stderr, interactive: Boolean(process.stdin.isTTY) },
    );
  } else {
    await runShow({ user: values.user, db: values.db }, process.stdout);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof ConfigurationError;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`persona: ${message.split("\n")[0]}\n`);
    if (!known && process.env.PERSONA_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
