/**
 * Stage 2: a seed expanded into the full golden persona.
 * Placeholders: {seed}, {language}, {difference}, {tool}.
 */
export const SYNTHESIZE_PERSONA = `You write the full persona of one person for a benchmark of personalized AI assistants. The persona tells an assistant who the user is and how to serve them.

The seed below fixes who the person is:
<seed>
{seed}
</seed>

Return the complete persona:
- Demographics and Personality: the seed's facts. Keep Name, Age and the four MBTI letters exactly as in the seed. Keep every other seed value's meaning; only translate it when it is not written in {language}.
- Pattern, about how this person uses an AI assistant: Behavior_Engagement_Pattern (what they bring to the assistant and how they ask), Usage_Pattern (how often, when and for what), Emotion_Pattern (what their mood looks like in a conversation and what lifts or sours it), Purchase_Pattern (what they buy and how they decide).
- Preference, about the answers this person wants: Preferred_Styles (tone and style), Preferred_Formats (length, structure, media), Preferred_Workflows (how they like to work through a task with the assistant: step by step, options first, asking back, ...).

Derive Pattern and Preference from the seed (occupation, age, MBTI, values) so that an assistant who knows them would answer this person differently from anyone else. Be concrete: one or two sentences per field, no generic statements that fit everybody, never "none" or "unknown". A real person can have quirks and biases, but stays consistent.
{difference}
Write every text in {language}; MBTI letters stay single Latin letters. Call {tool} with the persona.`;
