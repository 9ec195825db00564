import type { z } from "zod";
import { describePersonaFields, getFieldValue, withFieldValue, type PersonaValues } from "./fields.js";
import { normalizeKnownValue } from "./unknown.js";

/**
 * One field whose stored value did not fit the schema: its path, the zod message and the value.
 * @example
 * const { issues } = parsePersona({ Demographics: { Age: "old" } }, defaultPersonaSchema);
 * for (const issue of issues) console.warn(issue.path, issue.message);
 */
export interface PersonaIssue {
  path: string;
  message: string;
  value: unknown;
}

/**
 * What {@link parsePersona} read: the fields that fit, the ones that did not, and unknown keys.
 * @example
 * const { persona, issues, unknownKeys }: ParsedPersona = parsePersona(stored, defaultPersonaSchema);
 */
export interface ParsedPersona {
  persona: PersonaValues;
  /** Fields whose value did not fit the schema; they are left out of `persona`. */
  issues: PersonaIssue[];
  /** Keys present in the input that the schema does not define. */
  unknownKeys: string[];
}

function collectPaths(value: unknown, prefix: string[], out: string[]): void {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) collectPaths(child, [...prefix, key], out);
  } else if (prefix.length > 0) {
    out.push(prefix.join("."));
  }
}

/**
 * Reads a persona-shaped object field by field: unknown markers ("None", "无",
 * null) become absent, each value is validated on its own so one bad field
 * never discards the others, and nothing is dropped without being reported.
 * @param input - the persona-shaped object (anything else reads as empty)
 * @param schema - the persona schema
 * @returns the fields that fit, the issues of those that did not, and keys the schema does not define
 * @example
 * parsePersona({ Demographics: { Age: 34, Gender: "None" }, Mood: "x" }, defaultPersonaSchema);
 * // { persona: { Demographics: { Age: 34 } }, issues: [], unknownKeys: ["Mood"] }
 */
export function parsePersona(input: unknown, schema: z.ZodType): ParsedPersona {
  const fields = describePersonaFields(schema);
  const source = input && typeof input === "object" ? (input as PersonaValues) : {};
  let persona: PersonaValues = {};
  const issues: PersonaIssue[] = [];
  for (const field of fields) {
    const raw = getFieldValue(source, field.segments);
    const value = normalizeKnownValue(raw);
    if (value === undefined) continue;
    const result = field.schema.safeParse(value);
    if (result.success && result.data !== undefined) {
      persona = withFieldValue(persona, field.segments, result.data);
    } else if (!result.success) {
      issues.push({
        path: field.path,
        message: result.error.issues.map((issue) => issue.message).join("; "),
        value: raw,
      });
    }
  }
  const known = new Set(fields.map((field) => field.path));
  const present: string[] = [];
  collectPaths(source, [], present);
  const unknownKeys = present.filter(
    (path) => !known.has(path) && ![...known].some((k) => k.startsWith(`${path}.`)),
  );
  return { persona, issues, unknownKeys };
}
