import type { z } from "zod";
import { describePersonaFields, knownFields, type PersonaValues } from "../schema/fields.js";

function label(name: string): string {
  return name.replace(/_/g, " ");
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(formatValue).join(", ");
  if (value && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Renders the known fields of a persona as compact lines, one per top-level
 * group ("Demographics: Age 50; Language 中文"). Unknown fields are omitted; an
 * empty persona renders as "".
 */
export function renderPersona(persona: PersonaValues | null | undefined, schema: z.ZodType): string {
  if (!persona) return "";
  const groups = new Map<string, string[]>();
  for (const { field, value } of knownFields(persona, describePersonaFields(schema))) {
    const group = field.segments.length > 1 ? field.segments[0] : "";
    const name = field.segments.slice(group ? 1 : 0).map(label).join(" / ");
    const parts = groups.get(group) ?? [];
    parts.push(`${name}: ${formatValue(value)}`);
    groups.set(group, parts);
  }
  return [...groups.entries()]
    .map(([group, parts]) => (group ? `${label(group)} — ${parts.join("; ")}` : parts.join("; ")))
    .join("\n");
}
