import { resolve } from "node:path";
import { UsageError } from "./errors.js";

export const DEFAULT_DB_FILE = "persona.db";

/** The database: --db, else PERSONA_DB, else persona.db in the working directory. */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = flag?.trim() || env.PERSONA_DB?.trim() || DEFAULT_DB_FILE;
  if (/^postgres(ql)?:\/\//i.test(value)) {
    throw new UsageError("Postgres URLs are not supported by this command yet; pass a SQLite file path");
  }
  return resolve(value);
}

export function requireUser(flag: string | undefined): string {
  if (flag === undefined || flag.trim() === "") throw new UsageError("--user <id> is required");
  return flag;
}

export function parsePositiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`${name} must be a positive integer, got "${value}"`);
  }
  return Number(value);
}
