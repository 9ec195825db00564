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

export function parsePositiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`${name} must be a positive integer, got "${value}"`);
  }
  return Number(value);
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
