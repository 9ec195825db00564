import type { z } from "zod";
import { describePersonaFields } from "../schema/fields.js";
import { renderableValues } from "./renderableValues.js";

function label(name: string): string {
  return name.replace(/_/g, " ");
}

function oneLine(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const points = Array.from(flat);
  return points.length <= limit ? flat : `${points.slice(0, limit - 1).join("")}…`;
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) {
    const shown = value.slice(0, 20).map((item) => oneLine(String(item), 120));
    return `${shown.join(", ")}${value.length > shown.length ? `, … (+${value.length - shown.length} more)` : ""}`;
  }
  return oneLine(String(value), 500);
}

/**
 * Renders the known fields of a persona as compact, human-readable lines, one
 * per top-level group ("Demographics — Name: 张伟; Age: 50; Language: 中文").
 * For people and judges; the chatbot gets `renderPersonaBlock` (quoted data
 * within a token budget). Only values that fit the schema and pass the
 * structural guard are shown, each on one line and bounded in length; unknown
 * fields are omitted; an empty persona renders as "".
 *
 * @param persona The stored persona (any shape).
 * @param schema The persona schema.
 * @returns The lines, or "".
 * @example
 * renderPersona({ Demographics: { Name: "张伟", Age: 50 } }, defaultPersonaSchema); // "Demographics — Name: 张伟; Age: 50"
 */
export function renderPersona(persona: unknown, schema: z.ZodType): string {
  const groups = new Map<string, string[]>();
  for (const { field, value } of renderableValues(persona, describePersonaFields(schema)).values) {
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
