/**
 * Stage 5 repair: a neutralized query that still shows persona details.
 * Placeholders: {neutralized_query}, {leaks}, {language}, {tool}.
 */
export const REPAIR_NEUTRALIZED_QUERY = `A neutralized user request still reveals details about the user:
<neutralized_query>
{neutralized_query}
</neutralized_query>
<leaked_details>
{leaks}
</leaked_details>

Rewrite it in {language} without these details and without anything else about the person, keeping the facts of the task (places, dates, items, other people's names, code) and the same request. Call {tool} with the new text.`;
