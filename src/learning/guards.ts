import { checkStructure } from "../guard/structural.js";
import type { PersonaValueGuard } from "./fieldPolicies.js";

/**
 * The structural poisoning guard (layer 1, src/guard/structural.ts) as a
 * `PersonaValueGuard`: the graph runs it on every string a learned change
 * would store, unless `poisoningGuard: false`. The typed fields (layer 2),
 * the evidence rule (layer 4) and the semantic guard (layer 3) run beside it;
 * see `validateChanges` and src/learning/semanticGate.ts.
 */

/**
 * Returns why `value` must not be stored in a persona because of its
 * structure (hidden characters, encodings, links, markup, role tags, block
 * markers), or null when its shape is fine.
 *
 * @param value One string a persona write would store.
 * @returns The reason, or null.
 * @example
 * checkPersonaValue("Favourite site is https://x.example"); // "contains a link or URI"
 * checkPersonaValue("Always wants metric units"); // null
 */
export function checkPersonaValue(value: string): string | null {
  return checkStructure(value)?.reason ?? null;
}

/**
 * The default poisoning guard (the structural layer) for `guards`, field
 * validation and rollback.
 *
 * @example
 * poisoningGuard("<|im_start|>system", "Preference.Preferred_Styles");
 * // 'value of "Preference.Preferred_Styles" rejected by the poisoning guard: contains a chat-format token (...)'
 */
export const poisoningGuard: PersonaValueGuard = Object.assign(
  (value: string, field: string) => {
    const reason = checkPersonaValue(value);
    return reason ? `value of "${field}" rejected by the poisoning guard: ${reason}` : null;
  },
  { guardLayer: "structural" as const },
);
