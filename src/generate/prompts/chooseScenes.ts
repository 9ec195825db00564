/**
 * Stage 3a: which scenes a persona gets — common categories adapted to the person, and person-specific scenes.
 * Placeholders: {persona}, {categories}, {common_count}, {plain_count}, {specific_count}, {exclude}, {language}, {tool}.
 */
export const CHOOSE_SCENES = `You plan the scenes of one user in a benchmark of personalized AI assistants. Each scene is one everyday situation in which this user asks their assistant (on their phone or computer: conversation, web search, the device's apps) for help.

The user:
<persona>
{persona}
</persona>

1. common: choose {common_count} categories from the list below that fit this user's life, each at most once. Order them so that the first {plain_count} can be handled by conversation alone, with no app and no web search. For each, give:
   - category: the category's name exactly as written in the list;
   - label: the category's name in {language};
   - explanation: one sentence, naming the user, saying when and why this user needs it.
2. specific: invent {specific_count} scenes that only this user would meet, drawn from their occupation, MBTI, values, patterns or preferences: uncommon but plausible, not generic tasks such as writing an email. For each, give a short label (two to four words) and an explanation of the same kind.

Do not use these categories or scenes, which this user already has:
<exclude>
{exclude}
</exclude>

<categories>
{categories}
</categories>

Write labels and explanations in {language}. Call {tool} with both lists (an empty list where the count is 0).`;
