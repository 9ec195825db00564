import type { PersonaField, PersonaValues } from "../schema/fields.js";
import { getFieldValue, withFieldValue } from "../schema/fields.js";
import { isUnknownValue, normalizeKnownValue } from "../schema/unknown.js";
import type { AppliedChange, RejectedChange } from "../memory/records.js";
import { policyFor, type FieldPolicies, type PersonaValueGuard } from "./fieldPolicies.js";

/** A change that passed validation; `value` is undefined for "clear". */
export interface ValidChange {
  op: "set" | "clear";
  field: string;
  value?: unknown;
  evidence: string;
}

export interface ValidationContext {
  fields: PersonaField[];
  policies?: FieldPolicies;
  guards?: PersonaValueGuard[];
  /** The user's own words from the learned sessions; evidence must quote them. */
  userText?: string;
  /** Longest accepted evidence quote. Default 500. */
  maxEvidenceLength?: number;
}

export interface ValidationResult {
  valid: ValidChange[];
  rejected: RejectedChange[];
}

/** Lowercases and drops whitespace and punctuation so a quote matches despite spacing. */
function normalizeForQuote(text: string): string {
  return text.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, "");
}

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  return [];
}

function checkOne(raw: unknown, ctx: ValidationContext, userTextNormalized?: string): ValidChange | string {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return "change is not an object";
  const change = raw as Record<string, unknown>;
  const op = change.op;
  if (op !== "set" && op !== "clear") return `op must be "set" or "clear", got ${JSON.stringify(op)}`;
  if (typeof change.field !== "string") return "field must be a string";
  const field = ctx.fields.find((candidate) => candidate.path === change.field);
  if (!field) return `unknown field "${change.field}"`;
  const policy = policyFor(ctx.policies, field.path);
  if (policy.frozen) return `field "${field.path}" is frozen`;

  const evidence = typeof change.evidence === "string" ? change.evidence.trim() : "";
  if (!evidence) return "evidence is missing";
  if (evidence.length > (ctx.maxEvidenceLength ?? 500)) return "evidence is too long";
  if (userTextNormalized !== undefined) {
    const quote = normalizeForQuote(evidence);
    if (!quote || !userTextNormalized.includes(quote)) {
      return "evidence is not a quote of the user's own words";
    }
  }

  if (op === "clear" || isUnknownValue(change.value)) {
    return { op: "clear", field: field.path, evidence };
  }
  // Guards see the raw strings too: normalization trims, which would hide a
  // trailing invisible character rather than reject the value.
  for (const text of stringsIn(change.value)) {
    for (const guard of ctx.guards ?? []) {
      const reason = guard(text, field.path);
      if (reason) return reason;
    }
  }
  const normalized = normalizeKnownValue(change.value);
  const parsed = field.schema.safeParse(normalized);
  if (!parsed.success || parsed.data === undefined) {
    const message = parsed.success ? "value is empty" : parsed.error.issues.map((i) => i.message).join("; ");
    return `value does not fit field "${field.path}": ${message}`;
  }
  const value = parsed.data;
  if (Array.isArray(value) && value.length > policy.maxItems) {
    return `field "${field.path}" allows at most ${policy.maxItems} items`;
  }
  for (const text of stringsIn(value)) {
    if (text.length > policy.maxLength) {
      return `value is longer than ${policy.maxLength} characters`;
    }
    for (const guard of ctx.guards ?? []) {
      const reason = guard(text, field.path);
      if (reason) return reason;
    }
  }
  return { op: "set", field: field.path, value, evidence };
}

/**
 * Checks every proposed change on its own against the schema, the field
 * policies, the guards and the evidence rule. Later changes to a field already
 * changed in this batch are rejected so one batch never contradicts itself.
 */
export function validateChanges(rawChanges: unknown[], ctx: ValidationContext): ValidationResult {
  const userTextNormalized = ctx.userText === undefined ? undefined : normalizeForQuote(ctx.userText);
  const valid: ValidChange[] = [];
  const rejected: RejectedChange[] = [];
  const touched = new Set<string>();
  for (const raw of rawChanges) {
    const result = checkOne(raw, ctx, userTextNormalized);
    if (typeof result === "string") {
      rejected.push({ change: raw, reason: result });
    } else if (touched.has(result.field)) {
      rejected.push({ change: raw, reason: `field "${result.field}" is changed twice in one update` });
    } else {
      touched.add(result.field);
      valid.push(result);
    }
  }
  return { valid, rejected };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Applies valid changes; changes that would not alter the persona are left out. */
export function applyChanges(
  persona: PersonaValues,
  changes: ValidChange[],
  fields: PersonaField[],
): { persona: PersonaValues; applied: AppliedChange[] } {
  let next = persona;
  const applied: AppliedChange[] = [];
  for (const change of changes) {
    const field = fields.find((candidate) => candidate.path === change.field);
    if (!field) continue;
    const previous = getFieldValue(next, field.segments);
    if (sameValue(previous, change.value)) continue;
    next = withFieldValue(next, field.segments, change.value);
    applied.push({
      op: change.op,
      field: change.field,
      ...(change.value !== undefined ? { value: change.value } : {}),
      ...(previous !== undefined ? { previous } : {}),
      evidence: change.evidence,
    });
  }
  return { persona: next, applied };
}
