import { checkStructure } from "../guard/structural.js";
import { getFieldValue, type PersonaField } from "../schema/fields.js";
import { normalizeKnownValue } from "../schema/unknown.js";

/**
 * A stored value that is not rendered, and why.
 * @example
 * for (const { path, reason } of renderPersonaBlock(persona, schema).omitted) console.warn(path, reason);
 */
export interface OmittedValue {
  path: string;
  reason: string;
}

/** Longest stored string the renderer reads at all; longer ones are skipped unread. */
export const RENDER_MAX_STORED_CHARS = 4000;
/** Most stored list items the renderer reads at all. */
export const RENDER_MAX_STORED_ITEMS = 200;

function plainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function sizeProblem(value: unknown): string | null {
  if (typeof value === "string") return value.length > RENDER_MAX_STORED_CHARS ? `is ${value.length} characters long` : null;
  if (Array.isArray(value)) {
    if (value.length > RENDER_MAX_STORED_ITEMS) return `has ${value.length} items`;
    for (const item of value) {
      if (typeof item === "string" && item.length > RENDER_MAX_STORED_CHARS) return `has an item ${item.length} characters long`;
      if (item !== null && typeof item === "object") return "has a nested object or list";
    }
  }
  return null;
}

/**
 * The stored values that may be shown to a model, in schema order. A value is
 * left out (and reported) when it is oversized (checked before anything reads
 * it), does not fit its field's schema (e.g. `Age: "very old"`), or fails the
 * structural guard (stored before the guard existed, or written around it).
 * A persona that is not an object renders as nothing.
 *
 * @param persona The stored persona, as read (any shape).
 * @param fields The schema's fields.
 * @returns The values to render and the ones left out.
 * @example
 * renderableValues({ Demographics: { Age: "very old" } }, fields).omitted; // [{ path: "Demographics.Age", reason: "..." }]
 */
export function renderableValues(
  persona: unknown,
  fields: PersonaField[],
): { values: Array<{ field: PersonaField; value: unknown }>; omitted: OmittedValue[] } {
  const values: Array<{ field: PersonaField; value: unknown }> = [];
  const omitted: OmittedValue[] = [];
  if (!plainObject(persona)) return { values, omitted };
  for (const field of fields) {
    const raw = getFieldValue(persona, field.segments);
    if (raw === undefined) continue;
    const size = sizeProblem(raw);
    if (size) {
      omitted.push({ path: field.path, reason: `stored value ${size}; not rendered` });
      continue;
    }
    const normalized = normalizeKnownValue(raw);
    if (normalized === undefined) continue;
    const parsed = field.schema.safeParse(normalized);
    if (!parsed.success || parsed.data === undefined) {
      const message = parsed.success ? "empty" : parsed.error.issues.map((issue) => issue.message).join("; ");
      omitted.push({ path: field.path, reason: `stored value does not fit the schema (${message}); not rendered` });
      continue;
    }
    const strings = typeof parsed.data === "string" ? [parsed.data] : Array.isArray(parsed.data) ? parsed.data.filter((item): item is string => typeof item === "string") : [];
    const finding = strings.map((text) => checkStructure(text)).find((result) => result !== null);
    if (finding) {
      omitted.push({ path: field.path, reason: `stored value ${finding.reason}; not rendered` });
      continue;
    }
    values.push({ field, value: parsed.data });
  }
  return { values, omitted };
}
