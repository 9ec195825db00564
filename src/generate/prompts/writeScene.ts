/**
 * Stage 3b: one scene in full — description, the simulated user's facts, the expected behaviour, and API docs when tools are offered.
 * Placeholders: {persona}, {scene_type}, {tools}, {language}, {tool}.
 */
export const WRITE_SCENE = `You write one scene of a benchmark of personalized AI assistants. The assistant runs on the user's phone or computer; it can only talk, search the web and use the apps it is given. It is not an all-powerful AI.

The user:
<persona>
{persona}
</persona>

The scene:
<scene_type>
{scene_type}
</scene_type>

{tools}

Write:
- scene_desc: the situation, in two to five sentences, told by a narrator: what is going on in the user's life (name them), what they want from the assistant and why now.
- scene_context: the concrete facts the user knows and will give when the assistant asks: names, dates, places, amounts, product names, a piece of code or text to work on. Specific values, not placeholders; this is all a simulated user will know beyond the persona.
- expected_response: how an assistant that knows this user well should handle the scene: what it asks first, what it does (which API, when), and how it shapes the answer for this user. Refer to specific traits of the persona (preferences, patterns, personality), so that the same request from someone else would deserve a different answer. Describe the behaviour; do not write the reply itself.

Write every text in {language}. Call {tool} with the scene.`;
