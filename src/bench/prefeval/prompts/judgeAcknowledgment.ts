/**
 * PrefEval check 2 of 4: does the reply refer to a preference of the user's,
 * and which one does it attribute to them? The judge does not see the
 * preference, only the question and the reply. Placeholders: {question}, {reply}.
 */
export const JUDGE_ACKNOWLEDGMENT = `You check one thing about an AI assistant's reply: whether it refers to a preference of the user's.

The user's question:
<question>
{question}
</question>

The assistant's reply:
<reply>
{reply}
</reply>

Answer "yes" when the reply mentions, restates or explicitly builds on something the user likes, dislikes, needs, avoids or told the assistant before (for example "since you prefer …", "given your allergy …", "as you mentioned …"), beyond what the question itself says. Answer "no" when the reply simply answers the question as asked. When the answer is "yes", write in "restated" the preference the reply attributes to the user, in a few words; otherwise leave "restated" empty.

Answer with one JSON object and nothing else:
{"answer": "yes" or "no", "restated": "<the preference the reply attributes to the user, or empty>", "reason": "<one short sentence>"}`;
