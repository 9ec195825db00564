import { resolve } from "node:path";
import { assertValidUserId } from "../memory/namespaces.js";
import { UsageError } from "./errors.js";

export const DEFAULT_DB_FILE = "persona.db";

/**
 * The database: --db, else PERSONA_DB, else persona.db in the working
 * directory. A postgres:// or postgresql:// URL selects Postgres and is
 * returned as is; anything else is a SQLite file path, made absolute.
 */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  // A given but empty --db is a mistake, not a request for the default.
  if (flag !== undefined && flag.trim() === "") throw new UsageError("--db needs a value: a SQLite file path or a postgres:// URL, got an empty string");
  const value = flag?.trim() || env.PERSONA_DB?.trim() || DEFAULT_DB_FILE;
  if (/^postgres(ql)?:\/\//i.test(value)) return value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new UsageError(`unsupported database URL "${value.split("://")[0]}://": use a SQLite file path or a postgres:// URL`);
  }
  return resolve(value);
}

export function requireUser(flag: string | undefined): string {
  if (flag === undefined || flag.trim() === "") throw new UsageError("--user <id> is required");
  try {
    assertValidUserId(flag);
  } catch (error) {
    throw new UsageError(`invalid --user: ${(error as Error).message}`);
  }
  return flag;
}

/** The largest value a count flag takes when its command names no other bound. */
export const DEFAULT_MAX_COUNT = 10_000;

/**
 * Reads a whole-number flag from 1 to `max`; undefined when absent.
 *
 * @param name the flag as the user typed it, e.g. "--update-every"
 * @param value its value, or undefined when it was not given
 * @param max the largest value allowed
 * @default max DEFAULT_MAX_COUNT (10000)
 * @returns the number, or undefined
 * @example parsePositiveInteger("--concurrency", "4", MAX_CONCURRENCY) // 4
 */
export function parsePositiveInteger(name: string, value: string | undefined, max: number = DEFAULT_MAX_COUNT): number | undefined {
  return parseInteger(name, value, { min: 1, max });
}

/**
 * Reads a whole-number flag within [min, max]; undefined when absent. Signs,
 * decimals, exponents and numbers past `max` are usage errors naming the range.
 *
 * @param name the flag as the user typed it, e.g. "--max-retries"
 * @param value its value, or undefined when it was not given
 * @param range the smallest and largest values allowed
 * @returns the number, or undefined
 * @example parseInteger("--max-retries", "0", { min: 0, max: 20 }) // 0
 */
export function parseInteger(name: string, value: string | undefined, range: { min: number; max: number }): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const number = Number(text);
  if (!/^\d+$/.test(text) || number < range.min || number > range.max) {
    const kind = range.min === 1 ? "a positive integer" : "a whole number";
    throw new UsageError(`${name} must be ${kind} from ${range.min} to ${range.max}, got "${value}"`);
  }
  return number;
}

/** The most model calls a command runs at once (`--concurrency`). */
export const MAX_CONCURRENCY = 64;

/** The highest persona version `--from` / `--to` accept. */
export const MAX_VERSION = 1_000_000_000;

/**
 * Reads a persona version flag (0 is the empty persona); undefined when absent.
 *
 * @param name the flag, e.g. "--from"
 * @param value its value, or undefined when it was not given
 * @returns the version, or undefined
 * @example parseVersionNumber("--to", "3") // 3
 */
export function parseVersionNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) > MAX_VERSION) {
    throw new UsageError(`${name} must be a version number from 0 to ${MAX_VERSION} (0 is the empty persona; see persona history), got "${value}"`);
  }
  return Number(text);
}

/** Reads an on/off flag; undefined when absent. */
export function parseOnOff(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const setting = value.trim().toLowerCase();
  if (setting === "on") return true;
  if (setting === "off") return false;
  throw new UsageError(`${name} must be "on" or "off", got "${value}"`);
}

/**
 * Whether `persona chat` keeps its prompt history in a file: not with
 * --no-history or PERSONA_HISTORY=off.
 * @param noHistory whether --no-history was given
 * @param env the environment (PERSONA_HISTORY: "on" or "off")
 * @default env process.env
 * @returns true when history is saved
 * @example promptHistoryEnabled(false, { PERSONA_HISTORY: "off" }) // false
 */
export function promptHistoryEnabled(noHistory: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (noHistory) return false;
  const setting = env.PERSONA_HISTORY?.trim();
  return setting ? parseOnOff("PERSONA_HISTORY", setting)! : true;
}
