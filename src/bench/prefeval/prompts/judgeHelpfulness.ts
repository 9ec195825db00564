/**
 * PrefEval check 4 of 4: does the reply actually answer the question?
 * Placeholders: {question}, {reply}.
 */
export const JUDGE_HELPFULNESS = `You check one thing about an AI assistant's reply: whether it actually answers the user's question.

The user's question:
<question>
{question}
</question>

The assistant's reply:
<reply>
{reply}
</reply>

Answer "yes" when the reply gives concrete, relevant suggestions, recommendations or information for this question. Answer "no" when it declines, says it cannot help or cannot remember the user's preferences, only asks the user for more details, or is about something else; answer "no" as well when it first says it is unable to take the user's preference into account, even if suggestions follow.

Answer with one JSON object and nothing else:
{"answer": "yes" or "no", "reason": "<one short sentence>"}`;
