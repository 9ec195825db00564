/**
 * Limits on what the learner may write into one field. They apply on top of
 * the field's own type and format (the schema); the stricter limit wins.
 *
 * @example
 * const policies: FieldPolicies = { "Demographics.Name": { frozen: true }, "*": { maxLength: 200 } };
 */
export interface FieldPolicy {
  /**
   * The learner may never change this field.
   * @default false
   */
  frozen?: boolean;
  /**
   * Longest string value (each list item counts on its own); the field's
   * own format may allow less.
   * @default 500
   */
  maxLength?: number;
  /**
   * Most items in a list field.
   * @default 20
   */
  maxItems?: number;
}

/**
 * Policies by dotted field path; "*" sets the default for every field.
 * @example
 * const fieldPolicies: FieldPolicies = { "Demographics.Name": { frozen: true }, "*": { maxLength: 200 } };
 */
export type FieldPolicies = Record<string, FieldPolicy>;

export const DEFAULT_FIELD_POLICY: Required<Omit<FieldPolicy, "frozen">> & { frozen: boolean } = {
  frozen: false,
  maxLength: 500,
  maxItems: 20,
};

/**
 * The effective policy of one field: its own entry over "*" over the defaults.
 *
 * @param policies The graph's `fieldPolicies`.
 * @param path Dotted field path.
 * @returns The merged policy.
 * @example
 * policyFor({ "*": { maxLength: 100 } }, "Demographics.Name").maxLength; // 100
 */
export function policyFor(policies: FieldPolicies | undefined, path: string): typeof DEFAULT_FIELD_POLICY {
  return { ...DEFAULT_FIELD_POLICY, ...policies?.["*"], ...policies?.[path] } as typeof DEFAULT_FIELD_POLICY;
}

/**
 * A check on every string a persona write would store. Returns the reason to
 * reject it, or null to accept. Used for poisoning defences. `guardLayer`
 * names the layer in rejection records (default "guard").
 *
 * @example
 * const noPhoneNumbers: PersonaValueGuard = (value) => (/\d{3}[- ]\d{4}/.test(value) ? "looks like a phone number" : null);
 */
export type PersonaValueGuard = ((value: string, field: string) => string | null) & { guardLayer?: "structural" | "guard" };
