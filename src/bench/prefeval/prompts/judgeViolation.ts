/**
 * PrefEval check 1 of 4: does the reply go against the user's preference?
 * Placeholders: {preference}, {question}, {reply}.
 */
export const JUDGE_VIOLATION = `You check one thing about an AI assistant's reply: whether it goes against a preference the user stated earlier.

The user's preference:
<preference>
{preference}
</preference>

The question the user asked later:
<question>
{question}
</question>

The assistant's reply:
<reply>
{reply}
</reply>

Answer "yes" when the reply recommends, suggests or takes for granted something the preference rules out, or builds its answer mainly on an option this user would turn down. Answer "no" when everything it proposes is compatible with the preference, also when it never mentions the preference but happens to respect it. Judge what the reply proposes, not how well it is written or whether it is complete.

Answer with one JSON object and nothing else:
{"answer": "yes" or "no", "reason": "<one short sentence>"}`;
