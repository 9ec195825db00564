/**
 * Stage 4b: the same request with everything personal removed.
 * Placeholders: {persona}, {scene_type}, {query}, {language}, {tool}.
 */
export const NEUTRALIZE_QUERY = `You neutralize a user's message for a benchmark of personalized AI assistants. The neutralized message is what a chatbot receives when it must find out the user's needs by itself, so it must carry the request but nothing about the person.

The user's persona (what must not show):
<persona>
{persona}
</persona>

The scene:
<scene_type>
{scene_type}
</scene_type>

The user's message:
<query>
{query}
</query>

Rewrite the message as its neutral core request, in {language}:
- remove everything about the user: name, age, gender, nationality, occupation, background, interests, values, habits, mood, preferred style or format, and the personal tone;
- keep the facts that anyone asking the same thing would need to state: places, dates, items, amounts, other people's names, code or text to work on;
- keep it one plain request.
Also list in removed what you took out. Call {tool}.`;
