/** Values that PersonaBench and LLM output use to say "we do not know". */
const UNKNOWN_MARKERS = new Set(["none", "null", "无", "未知", "unknown", "n/a", ""]);

/**
 * True when a value carries no information and the field should be treated as absent.
 * ("None", "null", "unknown", "n/a", "无", "未知", "", null, undefined, or a list of only those).
 * @param value - any value
 * @returns true when the value says "we do not know"
 * @example
 * isUnknownValue("N/A"); // true
 * isUnknownValue(["None"]); // true
 * isUnknownValue(0); // false
 */
export function isUnknownValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string") return UNKNOWN_MARKERS.has(value.trim().toLowerCase());
  if (Array.isArray(value)) return value.every(isUnknownValue);
  return false;
}

/** Drops unknown items from lists and trims strings; returns undefined for unknown values. */
export function normalizeKnownValue(value: unknown): unknown {
  if (isUnknownValue(value)) return undefined;
  if (typeof value === "string") return value.trim();
  if (Array.isArray(value)) {
    return value.filter((item) => !isUnknownValue(item)).map((item) => normalizeKnownValue(item));
  }
  return value;
}
