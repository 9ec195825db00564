/**
 * Whether the persona graph's semantic guard runs during the suite's learning
 * runs: `--semantic-guard on|off`, else PERSONA_SEMANTIC_GUARD as the library
 * reads it ("off"/"false"/"0" turn it off), else on. The suite passes the
 * result to the graph explicitly and records it with the run, so a resumed
 * run cannot mix the two.
 *
 * @param flag - The flag's value, when given.
 * @param env - The environment. @default process.env
 * @returns True when the guard runs.
 * @example
 * ```ts no-run
 * const guard = resolveSemanticGuard(undefined, { PERSONA_SEMANTIC_GUARD: "off" }); // false
 * ```
 */
export function resolveSemanticGuard(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  const setting = env.PERSONA_SEMANTIC_GUARD?.trim().toLowerCase();
  if (setting === undefined || setting === "" || ["on", "true", "1"].includes(setting)) return true;
  if (["off", "false", "0"].includes(setting)) return false;
  throw new Error(`PERSONA_SEMANTIC_GUARD must be "on" or "off", got "${env.PERSONA_SEMANTIC_GUARD}"`);
}
