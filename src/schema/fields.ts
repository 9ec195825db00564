import { z } from "zod";
import { PERSONA_FORMAT_KEY, type PersonaFormat } from "./formats.js";

/**
 * A persona is a nested plain object; only known fields are present.
 * @example
 * const persona: PersonaValues = { Demographics: { Age: 34 } };
 */
export type PersonaValues = Record<string, unknown>;

/**
 * The kind of a persona field as the learner sees it: text, number, list, choice or other.
 * @example
 * describePersonaFields(defaultPersonaSchema).filter((field) => field.kind === ("list" satisfies FieldKind));
 */
export type FieldKind = "text" | "number" | "list" | "choice" | "other";

/**
 * One leaf field of a persona schema, addressed by a dotted path such as "Demographics.Age".
 * @example
 * const age: PersonaField | undefined = describePersonaFields(defaultPersonaSchema).find((f) => f.path === "Demographics.Age");
 */
export interface PersonaField {
  path: string;
  /** Path segments; the last one is the field's own name. */
  segments: string[];
  kind: FieldKind;
  description?: string;
  /** Allowed values for choice fields. */
  choices?: string[];
  /** Validates one value of this field. */
  schema: z.ZodType;
  /**
   * The field's format: from `.meta({ personaFormat })` (the builders in
   * formats.ts set it), else derived from the zod type and its length checks.
   */
  format: PersonaFormat;
}

type AnyZod = z.ZodType & { def: { type: string } };

function unwrap(schema: AnyZod): AnyZod {
  let current = schema;
  for (;;) {
    const type = current.def.type;
    if (type === "optional" || type === "nullable" || type === "default" || type === "readonly") {
      current = (current.def as unknown as { innerType: AnyZod }).innerType;
    } else if (type === "pipe") {
      current = (current.def as unknown as { out: AnyZod }).out;
    } else {
      return current;
    }
  }
}

function kindOf(schema: AnyZod): { kind: FieldKind; choices?: string[] } {
  const inner = unwrap(schema);
  switch (inner.def.type) {
    case "string":
      return { kind: "text" };
    case "number":
    case "int":
      return { kind: "number" };
    case "array":
      return { kind: "list" };
    case "enum":
      return { kind: "choice", choices: (inner as unknown as z.ZodEnum).options.map(String) };
    default:
      return { kind: "other" };
  }
}

function describedAs(schema: AnyZod): string | undefined {
  let current: AnyZod | undefined = schema;
  while (current) {
    if (current.description) return current.description;
    const def = current.def as unknown as { innerType?: AnyZod; out?: AnyZod };
    current = def.innerType ?? def.out;
  }
  return undefined;
}

/** The first `personaFormat` metadata on the wrapper chain (optional → pipe → inner). */
function declaredFormat(schema: AnyZod): PersonaFormat | undefined {
  let current: AnyZod | undefined = schema;
  while (current) {
    const meta = (current as unknown as { meta(): Record<string, unknown> | undefined }).meta?.();
    const format = meta?.[PERSONA_FORMAT_KEY] as PersonaFormat | undefined;
    if (format && typeof format === "object" && typeof format.format === "string") return format;
    const def = current.def as unknown as { innerType?: AnyZod; out?: AnyZod };
    current = def.innerType ?? def.out;
  }
  return undefined;
}

/** The `maximum` of a zod "max_length" check, if the schema has one. */
function maxLengthCheck(schema: AnyZod): number | undefined {
  const checks = (schema.def as unknown as { checks?: Array<{ _zod?: { def?: { check?: string; maximum?: number } } }> }).checks ?? [];
  const limits = checks
    .map((check) => check._zod?.def)
    .filter((def) => def?.check === "max_length" && typeof def.maximum === "number")
    .map((def) => def!.maximum!);
  return limits.length ? Math.min(...limits) : undefined;
}

function derivedFormat(schema: AnyZod, kind: FieldKind, choices?: string[]): PersonaFormat {
  const inner = unwrap(schema);
  if (kind === "list") {
    const element = unwrap((inner.def as unknown as { element: AnyZod }).element);
    const maxItems = maxLengthCheck(inner);
    const maxLength = element.def.type === "string" ? maxLengthCheck(element) : undefined;
    return {
      format: "list",
      hint: `a list${maxItems ? ` of at most ${maxItems} items` : ""}${maxLength ? `, each at most ${maxLength} characters` : ""}`,
      ...(maxItems !== undefined ? { maxItems } : {}),
      ...(maxLength !== undefined ? { maxLength } : {}),
    };
  }
  if (kind === "text") {
    const maxLength = maxLengthCheck(inner);
    return { format: "text", hint: `text${maxLength ? `, at most ${maxLength} characters` : ""}`, ...(maxLength !== undefined ? { maxLength } : {}) };
  }
  if (kind === "choice") return { format: "choice", hint: `one of ${choices?.join(", ")}` };
  if (kind === "number") return { format: "number", hint: "a number" };
  return { format: inner.def.type, hint: `a ${inner.def.type} value` };
}

const fieldCache = new WeakMap<object, PersonaField[]>();

/**
 * Lists the leaf fields of a persona schema (a zod object, possibly with nested
 * objects), each with its kind and format. Throws a descriptive error for
 * schemas that are not objects.
 *
 * @param schema A zod object; nested objects are field groups.
 * @returns The leaf fields in schema order (cached per schema).
 * @example
 * describePersonaFields(defaultPersonaSchema).find((f) => f.path === "Demographics.Age")?.format.hint;
 * // 'a whole number from 0 to 150, or a range like "30-35", "30s" or "65+"'
 */
export function describePersonaFields(schema: z.ZodType): PersonaField[] {
  const cached = fieldCache.get(schema);
  if (cached) return cached;
  const root = unwrap(schema as AnyZod);
  if (root.def.type !== "object") {
    throw new TypeError(
      `persona schema must be a zod object (z.object({...})), got a zod "${root.def.type}"`,
    );
  }
  const fields: PersonaField[] = [];
  const walk = (objectSchema: AnyZod, prefix: string[]) => {
    const shape = (objectSchema as unknown as z.ZodObject).shape as Record<string, AnyZod>;
    for (const [name, child] of Object.entries(shape)) {
      if (name.includes(".")) {
        throw new TypeError(`persona schema field names cannot contain "." (field "${name}")`);
      }
      const segments = [...prefix, name];
      if (unwrap(child).def.type === "object") {
        walk(unwrap(child), segments);
        continue;
      }
      const { kind, choices } = kindOf(child);
      const declared = declaredFormat(child);
      fields.push({
        path: segments.join("."),
        segments,
        kind: declared?.kind ?? kind,
        ...(choices ? { choices } : {}),
        description: describedAs(child),
        schema: child,
        format: declared ?? derivedFormat(child, kind, choices),
      });
    }
  };
  walk(root, []);
  if (fields.length === 0) throw new TypeError("persona schema has no fields");
  fieldCache.set(schema, fields);
  return fields;
}

export function getFieldValue(persona: PersonaValues, segments: string[]): unknown {
  let current: unknown = persona;
  for (const segment of segments) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Returns a copy of the persona with one field set (value !== undefined) or removed. */
export function withFieldValue(
  persona: PersonaValues,
  segments: string[],
  value: unknown,
): PersonaValues {
  const [head, ...rest] = segments;
  const copy: PersonaValues = { ...persona };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const child = copy[head];
  const next = withFieldValue(
    child && typeof child === "object" ? (child as PersonaValues) : {},
    rest,
    value,
  );
  if (Object.keys(next).length === 0) delete copy[head];
  else copy[head] = next;
  return copy;
}

/** Lists the fields that have a value, in schema order. */
export function knownFields(
  persona: PersonaValues,
  fields: PersonaField[],
): Array<{ field: PersonaField; value: unknown }> {
  const out: Array<{ field: PersonaField; value: unknown }> = [];
  for (const field of fields) {
    const value = getFieldValue(persona, field.segments);
    if (value !== undefined) out.push({ field, value });
  }
  return out;
}
