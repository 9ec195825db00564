/**
 * Stage 5 repair: an expected response that does not use the persona.
 * Placeholders: {persona}, {scene_desc}, {expected_response}, {reason}, {language}, {tool}.
 */
export const REPAIR_EXPECTED_RESPONSE = `An expected response of a benchmark scene does not use what the assistant knows about the user.

The user's persona:
<persona>
{persona}
</persona>
<scene_desc>
{scene_desc}
</scene_desc>
<expected_response>
{expected_response}
</expected_response>
<review>
{reason}
</review>

Rewrite the expected response in {language}: the same task and the same use of APIs, but the assistant's questions, choices and presentation follow specific traits of this persona (preferences, patterns, personality), so that another user with the same request would deserve a different answer. Describe the behaviour; do not write the reply itself. Call {tool} with the new text.`;
