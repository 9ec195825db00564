/**
 * Stage 5: the checker model's review of one scene.
 * Placeholders: {persona}, {scene_type}, {scene_desc}, {scene_context}, {apis}, {expected_response}, {neutralized_query}, {tool}.
 */
export const CHECK_SCENE = `You review one generated scene of a benchmark of personalized AI assistants. The assistant runs on the user's phone or computer; it can only talk, search the web and use the APIs listed for the scene.

The user's persona:
<persona>
{persona}
</persona>

The scene:
<scene_type>
{scene_type}
</scene_type>
<scene_desc>
{scene_desc}
</scene_desc>
<scene_context>
{scene_context}
</scene_context>
<apis>
{apis}
</apis>
<expected_response>
{expected_response}
</expected_response>
<neutralized_query>
{neutralized_query}
</neutralized_query>

Answer three questions:
1. answerable: can such an assistant, with exactly these APIs (or none) and the facts the user can give, handle the scene and behave as the expected response says? False when it would need abilities it does not have, facts nobody gives it, or when the scene contradicts itself.
2. leaked_details: which details of the persona appear in the neutralized query (name, age, gender, nationality, occupation, interests, values, habits, preferences, personal tone)? Facts of the task itself (places, dates, items, other people) are not leaks. An empty list when there are none.
3. uses_persona: does the expected response rely on specific traits of this persona, so that it would differ for another user with the same request? False when it only restates the request or fits anyone.
Give a short reason for each. Call {tool}.`;
