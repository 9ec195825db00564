import type { PersonaValues } from "../schema/fields.js";

/**
 * One field that differs between two personas; `from`/`to` undefined means "unknown".
 * @example
 * const difference: FieldDifference = { field: "Demographics.Age", from: 33, to: 34 };
 */
export interface FieldDifference {
  field: string;
  from?: unknown;
  to?: unknown;
}

function isGroup(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Leaf values by dotted path ("Demographics.Age"). */
export function flattenPersona(persona: PersonaValues, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(persona)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isGroup(value)) for (const [inner, leaf] of flattenPersona(value, path)) out.set(inner, leaf);
    else if (value !== undefined) out.set(path, value);
  }
  return out;
}

/**
 * Field-level differences between two personas, by dotted field path.
 * @param from - the earlier persona
 * @param to - the later persona
 * @returns the fields that differ, sorted by path
 * @example
 * diffPersonas({ Name: "Al" }, { Name: "Alice", Age: 34 });
 * // [{ field: "Age", to: 34 }, { field: "Name", from: "Al", to: "Alice" }]
 */
export function diffPersonas(from: PersonaValues, to: PersonaValues): FieldDifference[] {
  const a = flattenPersona(from);
  const b = flattenPersona(to);
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: FieldDifference[] = [];
  for (const field of fields) {
    const before = a.get(field);
    const after = b.get(field);
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    out.push({ field, ...(before !== undefined ? { from: before } : {}), ...(after !== undefined ? { to: after } : {}) });
  }
  return out;
}

/**
 * Human-readable lines: "+ field: value", "- field: value", "~ field: old -> new".
 * @param differences - the output of {@link diffPersonas}
 * @returns one line per difference, or "(no differences)"
 * @example
 * console.log(formatDifferences(diffPersonas(v1.persona, v2.persona)));
 */
export function formatDifferences(differences: FieldDifference[]): string {
  if (differences.length === 0) return "(no differences)";
  const show = (value: unknown) => JSON.stringify(value);
  return differences
    .map((d) =>
      d.from === undefined
        ? `+ ${d.field}: ${show(d.to)}`
        : d.to === undefined
          ? `- ${d.field}: ${show(d.from)}`
          : `~ ${d.field}: ${show(d.from)} -> ${show(d.to)}`,
    )
    .join("\n");
}
