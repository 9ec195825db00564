import type { PersonaField, PersonaValues } from "../schema/fields.js";
import { getFieldValue, withFieldValue } from "../schema/fields.js";
import { isUnknownValue } from "../schema/unknown.js";
import type { AppliedChange, RejectedChange } from "../memory/records.js";
import { checkEvidence, DEFAULT_MAX_EVIDENCE_LENGTH, normalizeForQuote } from "../guard/evidence.js";
import { checkTypedValue, stringsIn } from "../guard/typed.js";
import type { GuardLayer, SemanticVerdict } from "../guard/verdict.js";
import { policyFor, type FieldPolicies, type PersonaValueGuard } from "./fieldPolicies.js";

/**
 * A change that passed validation; `value` is undefined for "clear".
 * @example
 * const change: ValidChange = { op: "set", field: "Preference.Styles", value: ["short answers"], evidence: "keep it short" };
 */
export interface ValidChange {
  op: "set" | "clear";
  field: string;
  value?: unknown;
  evidence: string;
  /** The semantic guard's verdict, when it ran. */
  verdict?: SemanticVerdict;
}

/**
 * What `validateChanges` checks against.
 * @example
 * const ctx: ValidationContext = { fields: describePersonaFields(defaultPersonaSchema), guards: [poisoningGuard], userText };
 */
export interface ValidationContext {
  fields: PersonaField[];
  /** Per-field limits; see `FieldPolicies`. */
  policies?: FieldPolicies;
  /** Checks on every stored string (the structural poisoning guard is one). */
  guards?: PersonaValueGuard[];
  /** The user's own words from the learned sessions; evidence must quote them. Undefined: no quote rule. */
  userText?: string;
  /**
   * Longest accepted evidence quote.
   * @default 500
   */
  maxEvidenceLength?: number;
}

/**
 * Valid changes, and the rejected ones with their reasons.
 * @example
 * const { valid, rejected }: ValidationResult = validateChanges(proposed, ctx);
 */
export interface ValidationResult {
  valid: ValidChange[];
  rejected: RejectedChange[];
}

type Outcome = ValidChange | { reason: string; layer: GuardLayer };

const reject = (reason: string, layer: GuardLayer): Outcome => ({ reason, layer });

function runGuards(value: unknown, field: string, guards: PersonaValueGuard[]): Outcome | null {
  for (const text of stringsIn(value)) {
    for (const guard of guards) {
      const reason = guard(text, field);
      if (reason) return reject(reason, guard.guardLayer ?? "guard");
    }
  }
  return null;
}

function checkOne(raw: unknown, ctx: ValidationContext, userTextNormalized?: string): Outcome {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return reject("change is not an object", "request");
  const change = raw as Record<string, unknown>;
  const op = change.op;
  if (op !== "set" && op !== "clear") return reject(`op must be "set" or "clear", got ${JSON.stringify(op)?.slice(0, 40)}`, "request");
  if (typeof change.field !== "string") return reject("field must be a string", "request");
  const field = ctx.fields.find((candidate) => candidate.path === change.field);
  if (!field) return reject(`unknown field "${change.field.slice(0, 100)}"`, "request");
  const policy = policyFor(ctx.policies, field.path);
  if (policy.frozen) return reject(`field "${field.path}" is frozen`, "request");

  const evidence = typeof change.evidence === "string" ? change.evidence.trim() : "";
  const evidenceProblem = checkEvidence(evidence, userTextNormalized, ctx.maxEvidenceLength ?? DEFAULT_MAX_EVIDENCE_LENGTH);
  if (evidenceProblem) return reject(evidenceProblem, "evidence");

  if (op === "clear" || isUnknownValue(change.value)) return { op: "clear", field: field.path, evidence };

  // Layer 2 first: sizes on the raw value, then the field's type and format.
  const typed = checkTypedValue(field, change.value, policy);
  if (!typed.ok) return reject(typed.reason, "typed");
  // Layer 1 and custom guards read the raw strings too: trimming would hide a
  // trailing invisible character instead of rejecting the value.
  const guards = ctx.guards ?? [];
  const onRaw = runGuards(change.value, field.path, guards);
  if (onRaw) return onRaw;
  const onParsed = runGuards(typed.value, field.path, guards);
  if (onParsed) return onParsed;
  return { op: "set", field: field.path, value: typed.value, evidence };
}

/**
 * Checks every proposed change on its own: the request (known, unfrozen
 * field), the evidence rule, the field's type and format (sizes first), then
 * the structural and custom guards. Later changes to a field already changed
 * in this batch are rejected so one batch never contradicts itself. The
 * semantic guard runs afterwards, on the valid changes only
 * (src/learning/semanticGate.ts).
 *
 * @param rawChanges Changes as the learner proposed them (any shape).
 * @param ctx Fields, policies, guards and the user's words.
 * @returns The valid changes and the rejected ones, each with its reason and layer.
 * @example
 * validateChanges([{ op: "set", field: "Demographics.Age", value: "very old", evidence: "I'm very old" }], { fields });
 * // rejected: [{ reason: 'value does not fit field "Demographics.Age" (...)', layer: "typed", ... }]
 */
export function validateChanges(rawChanges: unknown[], ctx: ValidationContext): ValidationResult {
  const userTextNormalized = ctx.userText === undefined ? undefined : normalizeForQuote(ctx.userText);
  const valid: ValidChange[] = [];
  const rejected: RejectedChange[] = [];
  const touched = new Set<string>();
  for (const raw of rawChanges) {
    const result = checkOne(raw, ctx, userTextNormalized);
    if ("reason" in result) {
      rejected.push({ change: raw, reason: result.reason, layer: result.layer });
    } else if (touched.has(result.field)) {
      rejected.push({ change: raw, reason: `field "${result.field}" is changed twice in one update`, layer: "request" });
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

/**
 * Applies valid changes; changes that would not alter the persona are left out.
 *
 * @param persona The persona to change (not mutated).
 * @param changes Valid changes.
 * @param fields The schema's fields.
 * @returns The new persona and the changes as applied (with previous values and verdicts).
 * @example
 * applyChanges({}, [{ op: "set", field: "Demographics.Age", value: 34, evidence: "I'm 34" }], fields).persona;
 * // { Demographics: { Age: 34 } }
 */
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
      ...(change.verdict ? { verdict: change.verdict } : {}),
    });
  }
  return { persona: next, applied };
}
