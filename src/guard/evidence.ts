/**
 * Layer 4 of the poisoning guard: a change must quote the user's own words.
 * Quotes match after lowercasing and dropping whitespace, punctuation and
 * symbols, so spacing and punctuation differences do not matter.
 */

/** Longest evidence quote accepted, in characters. */
export const DEFAULT_MAX_EVIDENCE_LENGTH = 500;

/**
 * The form in which quotes and the user's text are compared.
 *
 * @param text Any text.
 * @returns It lowercased, without whitespace, punctuation or symbols.
 * @example
 * normalizeForQuote("I'm 34, thanks!"); // "im34thanks"
 */
export function normalizeForQuote(text: string): string {
  return text.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, "");
}

/**
 * Checks a change's evidence.
 *
 * @param evidence The quote the learner gave (trimmed).
 * @param userTextNormalized The user's words through `normalizeForQuote`; undefined skips the quote rule.
 * @param maxLength Longest quote accepted.
 * @returns Why the evidence is not acceptable, or null.
 * @example
 * checkEvidence("my name is Li", normalizeForQuote("Hi, my name is Li."), 500); // null
 */
export function checkEvidence(evidence: string, userTextNormalized: string | undefined, maxLength = DEFAULT_MAX_EVIDENCE_LENGTH): string | null {
  if (!evidence) return "evidence is missing";
  if (evidence.length > maxLength) return `evidence is longer than ${maxLength} characters`;
  if (userTextNormalized !== undefined) {
    const quote = normalizeForQuote(evidence);
    if (!quote || !userTextNormalized.includes(quote)) return "evidence is not a quote of the user's own words";
  }
  return null;
}
