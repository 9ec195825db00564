/**
 * PrefEval check 3 of 4, asked only when the reply refers to a preference: is
 * the preference it attributes to the user a different one from theirs?
 * Placeholders: {preference}, {restated}.
 */
export const JUDGE_HALLUCINATION = `You check one thing about an AI assistant's reply: whether the preference it attributes to the user is really the user's preference.

The user's actual preference:
<preference>
{preference}
</preference>

What the assistant said the user prefers:
<restated>
{restated}
</restated>

Answer "yes" (the assistant made up a different preference) when the restatement changes the meaning or intent of the actual preference, contradicts it, or is about something unrelated to it. Answer "no" when it says the same thing, in other words or only in part, without changing what the user wants, or when the restatement is empty.

Answer with one JSON object and nothing else:
{"answer": "yes" or "no", "reason": "<one short sentence>"}`;
