/**
 * Pairwise comparison of two first replies to the same message.
 * Placeholders: {persona}, {scene_desc}, {expected_response}, {query}, {reply_a}, {reply_b}.
 */
export const JUDGE_PAIRWISE = `You compare two AI assistants' replies to the same user message and decide which serves this user better.

The user (their true profile):
{persona}

The situation:
{scene_desc}

What an ideal reply does for this user:
{expected_response}

The user's message:
<message>
{query}
</message>

Reply A:
<reply_a>
{reply_a}
</reply_a>

Reply B:
<reply_b>
{reply_b}
</reply_b>

Judge helpfulness and fit to this user together. The order of the replies means nothing; length alone is not quality. Say "tie" only when neither is better.

Answer with one JSON object and nothing else:
{"winner": "A" or "B" or "tie", "reason": "<one or two sentences>"}`;
