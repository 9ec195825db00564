import type { z } from "zod";

export type ParsedReply<T> = { ok: true; value: T } | { ok: false; error: string };

/** Balanced `{...}` spans of the text, outermost first, strings respected. */
function objectSpans(text: string): string[] {
  const spans: string[] = [];
  for (let start = text.indexOf("{"); start !== -1; start = text.indexOf("{", start + 1)) {
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === "\\") escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === "{") depth++;
      else if (ch === "}" && --depth === 0) {
        spans.push(text.slice(start, i + 1));
        break;
      }
    }
    if (spans.length >= 5) break;
  }
  return spans;
}

/** Common near-JSON slips: trailing commas and smart quotes. */
function repair(candidate: string): string {
  return candidate.replace(/[\u201c\u201d]/g, '"').replace(/,\s*([}\]])/g, "$1");
}

/**
 * Reads a JSON object from a model's reply: plain JSON, JSON in a code fence,
 * or JSON surrounded by prose; then validates it with `schema`. Never throws.
 */
export function parseJsonReply<T>(text: string, schema: z.ZodType<T>): ParsedReply<T> {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, error: "empty reply" };
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed)?.[1];
  const candidates = [trimmed, ...(fenced ? [fenced.trim()] : []), ...objectSpans(trimmed)];
  // The first schema error is kept: later candidates are inner objects, whose errors mislead.
  let schemaError: string | undefined;
  let shapeError: string | undefined;
  for (const candidate of candidates) {
    for (const attempt of [candidate, repair(candidate)]) {
      let json: unknown;
      try {
        json = JSON.parse(attempt);
      } catch {
        continue;
      }
      if (!json || typeof json !== "object" || Array.isArray(json)) {
        shapeError ??= "reply is JSON but not an object";
        continue;
      }
      const result = schema.safeParse(json);
      if (result.success) return { ok: true, value: result.data };
      schemaError ??= result.error.issues
        .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
        .join("; ");
    }
  }
  return { ok: false, error: schemaError ?? shapeError ?? "no JSON object found" };
}
