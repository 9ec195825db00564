import type { PersonaValueGuard } from "./fieldPolicies.js";
import { poisoningGuard } from "./guards.js";
import { diffPersonas } from "../memory/diff.js";
import type { PersonaMemory } from "../memory/personaMemory.js";
import type { AppliedChange, PersonaVersion } from "../memory/records.js";

/**
 * Thrown by {@link rollbackPersona} for a version that is not a whole number or is not stored.
 * @example
 * await rollbackPersona(memory, 99).catch((error) => error instanceof RollbackError && console.error(error.message));
 */
export class RollbackError extends Error {
  /**
   * @param message - what is wrong with the requested version
   */
  constructor(message: string) {
    super(message);
    this.name = "RollbackError";
  }
}

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  return [];
}

/**
 * Restores the persona of an earlier version as a new version (history is
 * never rewritten). Version 0 is the empty persona. The restored values pass
 * the guards again, so a rollback cannot bring back a value that is now
 * considered poisoned.
 * @param memory - the user's memory
 * @param toVersion - the version to restore (0: the empty persona)
 * @param options - `guards` to re-check restored values (default: the poisoning guard) and a `note` (default "rollback to version N")
 * @returns the new version
 * @example
 * const restored = await rollbackPersona(new PersonaMemory(store, "alice"), 2);
 * console.log(`version ${restored.version} restores version 2`);
 */
export async function rollbackPersona(
  memory: PersonaMemory,
  toVersion: number,
  options: { guards?: PersonaValueGuard[]; note?: string } = {},
): Promise<PersonaVersion> {
  if (!Number.isInteger(toVersion) || toVersion < 0) {
    throw new RollbackError(`version must be a whole number >= 0, got ${toVersion}`);
  }
  const target = toVersion === 0 ? { persona: {} } : await memory.getVersion(toVersion);
  if (!target) throw new RollbackError(`user "${memory.userId}" has no version ${toVersion} (see persona history)`);
  const guards = options.guards ?? [poisoningGuard];
  const result = await memory.commitVersion({
    source: "rollback",
    note: options.note ?? `rollback to version ${toVersion}`,
    build: (current) => {
      const changes: AppliedChange[] = diffPersonas(current.persona, target.persona).map((d) => ({
        op: d.to === undefined ? "clear" : "set",
        field: d.field,
        ...(d.to !== undefined ? { value: d.to } : {}),
        ...(d.from !== undefined ? { previous: d.from } : {}),
        evidence: `rollback to version ${toVersion}`,
      }));
      for (const change of changes) {
        for (const text of stringsIn(change.value)) {
          for (const guard of guards) {
            const reason = guard(text, change.field);
            if (reason) throw new RollbackError(`cannot restore version ${toVersion}: ${reason}`);
          }
        }
      }
      return { persona: structuredClone(target.persona), changes, rejected: [] };
    },
  });
  if (!result.version) {
    throw new RollbackError(`the current persona (version ${result.document.version}) already equals version ${toVersion}`);
  }
  return result.version;
}
