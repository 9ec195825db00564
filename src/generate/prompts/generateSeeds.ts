/**
 * Stage 1, from a population description: new seed personas.
 * Placeholders: {population}, {count}, {language}, {avoid}, {tool}.
 */
export const GENERATE_SEEDS = `You create seed personas for a benchmark of personalized AI assistants.

Create {count} different people from this population:
<population>
{population}
</population>

Each person is a believable individual, not an average: real people hold opinions, habits and biases that not everyone shares, yet each person is consistent with themselves. Across the people you create, vary age, gender, region, occupation, family situation, MBTI type and interests.

For each person give:
- Name: a name that fits the person's country and generation;
- Demographics: Age (a whole number), Gender, Nationality, Language (the languages they speak, main one first), Career_Information (occupation, kind of employer, career stage, in one phrase);
- Personality: the four MBTI letters (Extraversion_or_Introversion E or I, Sensing_or_Intuition S or N, Thinking_or_Feeling T or F, Judging_or_Perceiving J or P) and Values_and_Interests (three to five specific values or interests).

These people already exist in the benchmark; every new person must be clearly different from all of them (another name, and another occupation or life situation):
<already_used>
{avoid}
</already_used>

Write every text in {language}; MBTI letters stay single Latin letters. Call {tool} with the people.`;
