/**
 * The persona condition's learning check: does the stored persona record the
 * item's preference at all? Placeholders: {preference}, {persona}.
 */
export const JUDGE_STORED_PREFERENCE = `You check one thing about a stored user profile: whether it records a given preference of the user's.

The preference:
<preference>
{preference}
</preference>

The profile an assistant keeps about this user (its fields and values, JSON):
<profile>
{persona}
</profile>

Answer "yes" when some value of the profile states this preference, in any words, or a statement that would lead an assistant to respect it. Answer "no" when no value says it, also when the profile is empty or only records unrelated facts.

Answer with one JSON object and nothing else:
{"answer": "yes" or "no", "reason": "<one short sentence>"}`;
