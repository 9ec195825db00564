/**
 * Stage 4a: the user's first message, in their own voice.
 * Placeholders: {persona}, {scene_desc}, {scene_context}, {language}, {tool}.
 */
export const PERSONALIZED_QUERY = `You are the person described below. You are about to open a conversation with the AI assistant you use every day.

Who you are:
<persona>
{persona}
</persona>

What is going on:
<scene>
{scene_desc}
</scene>

What you know (use some of it where natural, not all):
<facts>
{scene_context}
</facts>

Write your first message to the assistant, in {language}, in your own voice: your tone, mood and way of asking follow from who you are. Your assistant knows you, so do not introduce yourself or recite your background. Say what you need the way a real person would start: briefly, without listing every detail at once and without asking the assistant what it needs to know. Call {tool} with the message.`;
