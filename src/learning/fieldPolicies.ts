/** Limits on what the learner may write into one field. */
export interface FieldPolicy {
  /** The learner may never change this field. */
  frozen?: boolean;
  /** Longest string value (each list item counts on its own). */
  maxLength?: number;
  /** Most items in a list field. */
  maxItems?: number;
}

/** Policies by dotted field path; "*" sets the default for every field. */
export type FieldPolicies = Record<string, FieldPolicy>;

export const DEFAULT_FIELD_POLICY: Required<Omit<FieldPolicy, "frozen">> & { frozen: boolean } = {
  frozen: false,
  maxLength: 300,
  maxItems: 20,
};

export function policyFor(policies: FieldPolicies | undefined, path: string): typeof DEFAULT_FIELD_POLICY {
  return { ...DEFAULT_FIELD_POLICY, ...policies?.["*"], ...policies?.[path] } as typeof DEFAULT_FIELD_POLICY;
}

/**
 * A check on every string a persona write would store. Returns the reason to
 * reject it, or null to accept. Used for poisoning defences.
 */
export type PersonaValueGuard = (value: string, field: string) => string | null;
