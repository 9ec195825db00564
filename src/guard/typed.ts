import type { PersonaField } from "../schema/fields.js";
import { normalizeKnownValue } from "../schema/unknown.js";

/**
 * Layer 2 of the poisoning guard: the value must fit its field's type and
 * format (src/schema/formats.ts). Sizes are checked first, on the raw value,
 * so an oversized value is rejected before any schema check or pattern reads it.
 */

/** Size limits from the field policy. */
export interface TypedLimits {
  /** Longest string (each list item on its own). */
  maxLength: number;
  /** Most list items. */
  maxItems: number;
}

export type TypedResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Every string inside a value (the value itself, or the items of a list). */
export function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  return [];
}

/** Size check on the raw value; runs before anything reads the text. */
export function checkSize(value: unknown, field: PersonaField, limits: TypedLimits): string | null {
  if (Array.isArray(value)) {
    if (value.length > limits.maxItems) return `field "${field.path}" allows at most ${limits.maxItems} items`;
    if (value.some((item) => typeof item !== "string" && typeof item !== "number" && item !== null)) {
      return `value does not fit field "${field.path}" (${field.format.hint}): list items must be strings`;
    }
  } else if (value !== null && typeof value === "object") {
    return `value does not fit field "${field.path}" (${field.format.hint}): got an object`;
  }
  for (const text of stringsIn(value)) {
    if (text.length > limits.maxLength) return `value is longer than ${limits.maxLength} characters`;
  }
  return null;
}

/**
 * Checks one proposed value against its field: sizes on the raw value, then
 * the field's zod schema (which carries the format).
 *
 * @param field The field (from `describePersonaFields`).
 * @param raw The value as proposed.
 * @param limits The field policy's size limits.
 * @returns The parsed value, or the reason it does not fit.
 * @example
 * checkTypedValue(ageField, "very old", { maxLength: 300, maxItems: 20 });
 * // { ok: false, reason: 'value does not fit field "Demographics.Age" (...): must be a whole number ...' }
 */
export function checkTypedValue(field: PersonaField, raw: unknown, limits: TypedLimits): TypedResult {
  const size = checkSize(raw, field, limits);
  if (size) return { ok: false, reason: size };
  const normalized = normalizeKnownValue(raw);
  const parsed = field.schema.safeParse(normalized);
  if (!parsed.success || parsed.data === undefined) {
    const message = parsed.success ? "value is empty" : parsed.error.issues.map((issue) => issue.message).join("; ");
    return { ok: false, reason: `value does not fit field "${field.path}" (${field.format.hint}): ${message}` };
  }
  const value = parsed.data;
  if (Array.isArray(value) && value.length > limits.maxItems) {
    return { ok: false, reason: `field "${field.path}" allows at most ${limits.maxItems} items` };
  }
  for (const text of stringsIn(value)) {
    if (text.length > limits.maxLength) return { ok: false, reason: `value is longer than ${limits.maxLength} characters` };
  }
  return { ok: true, value };
}
