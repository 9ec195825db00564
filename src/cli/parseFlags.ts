import { parseArgs } from "node:util";
import type { CliCommand, CommandFlags } from "./command.js";
import { UsageError } from "./errors.js";

/** Edit distance with swapped neighbours as one edit, for "did you mean" hints on mistyped flags and commands. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known name closest to `typed` (a prefix, or at most two edits away), or
 * undefined when none is close.
 *
 * @param typed what was given
 * @param known the names it could have meant
 * @returns the closest known name, or undefined
 * @example closestName("update-evry", ["user", "update-every"]) // "update-every"
 */
export function closestName(typed: string, known: string[]): string | undefined {
  const prefixed = known.filter((name) => typed.length >= 3 && name.startsWith(typed));
  if (prefixed.length === 1) return prefixed[0];
  let best: { name: string; cost: number } | undefined;
  for (const name of known) {
    const cost = distance(typed, name);
    if (cost <= Math.min(2, Math.floor(name.length / 3)) && (!best || cost < best.cost)) best = { name, cost };
  }
  return best?.name;
}

/** The placeholder the usage line gives a flag's value ("--db <path|postgres-url>" → "path|postgres-url"). */
function placeholder(usage: string, flag: string): string | undefined {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`--${escaped}[ =](<[^>]+>|"<[^>]+>"|\\S+)`).exec(usage)?.[1]?.replace(/[\]\[;,]+$/, "");
}

/**
 * Parses the flags of one `persona <command>` invocation. Every problem is a
 * one-line UsageError naming the flag: an unknown flag (with the closest known
 * one), a positional argument, a flag given twice, a flag without its value or
 * with an empty one, a switch given a value. A value that starts with a dash is
 * taken only when it looks like a number ("--update-every -1"), so the
 * command's own range check can name the allowed range.
 *
 * @param command the command: its name, usage line, `flags` and `booleanFlags`
 * @param args the arguments after the command name
 * @returns the parsed flags
 * @example parseCommandFlags(showCommand, ["--user", "alice"]).text("user") // "alice"
 */
export function parseCommandFlags(command: Pick<CliCommand, "name" | "usage" | "flags" | "booleanFlags">, args: string[]): CommandFlags {
  const help = `run persona ${command.name} --help`;
  const valueFlags = new Set(command.flags);
  const switches = new Set(command.booleanFlags ?? []);
  const options = Object.fromEntries([
    ...command.flags.map((flag) => [flag, { type: "string" as const }]),
    ...[...switches].map((flag) => [flag, { type: "boolean" as const }]),
  ]);
  // Not strict: the tokens are checked here, so each problem gets its own message.
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<string, string | true>();
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      throw new UsageError(`unexpected argument "${token.value}": persona ${command.name} takes only flags (--name value); ${help}`);
    }
    const flag = token.rawName;
    const known = valueFlags.has(token.name) || switches.has(token.name);
    if (!known || !flag.startsWith("--")) {
      const near = closestName(token.name, [...valueFlags, ...switches]);
      // The wording keeps Node's "Unknown option '--x'" so scripts matching it keep working.
      throw new UsageError(`Unknown option '${flag}' for persona ${command.name}${near ? ` (did you mean --${near}?)` : ""}; ${help}`);
    }
    if (values.has(token.name)) {
      const first = values.get(token.name);
      const seen = typeof first === "string" && token.value !== undefined ? ` ("${first}", then "${token.value}")` : "";
      throw new UsageError(`${flag} given twice${seen}: give it once`);
    }
    if (switches.has(token.name)) {
      if (token.value !== undefined) throw new UsageError(`${flag} is a switch and takes no value, got "${flag}=${token.value}"`);
      values.set(token.name, true);
      continue;
    }
    const shape = placeholder(command.usage, token.name);
    const wanted = shape ? ` (${flag} ${shape})` : "";
    if (token.value === undefined) throw new UsageError(`${flag} needs a value${wanted}`);
    // "--db --json": the next flag was taken as the value. Numbers like -1 stay values for the range check.
    if (!token.inlineValue && token.value.startsWith("-") && token.value.length > 1 && !/^-\d/.test(token.value)) {
      throw new UsageError(`${flag} needs a value${wanted}, got the flag ${token.value} (write ${flag}=${token.value} for a value that starts with "-")`);
    }
    if (token.value.trim() === "") throw new UsageError(`${flag} needs a value${wanted}, got an empty string`);
    values.set(token.name, token.value);
  }
  return {
    text: (flag) => {
      const value = values.get(flag);
      return typeof value === "string" ? value : undefined;
    },
    on: (flag) => values.get(flag) === true,
  };
}
