/**
 * Rubric for the first reply of a scene: helpfulness and personalization, 0-10.
 * Placeholders: {persona}, {scene_desc}, {expected_response}, {query}, {reply}.
 */
export const JUDGE_FIRST_REPLY = `You grade an AI assistant's first reply to a user. Be strict and consistent.

The user (their true profile; the assistant may or may not have known it):
{persona}

The situation:
{scene_desc}

What an ideal reply does for this user:
{expected_response}

The user's message:
<message>
{query}
</message>

The assistant's first reply:
<reply>
{reply}
</reply>

Score two things, each an integer from 0 to 10:
helpfulness: does the reply solve the request correctly and usefully?
  0 = no help or wrong; 3 = touches the request but mostly unhelpful; 5 = partly helpful, important gaps; 7 = helpful with minor gaps; 9 = complete and correct; 10 = as good as the ideal reply.
personalization: does the reply fit this particular user (their background, interests, preferred style, format and workflow)?
  0 = generic or at odds with the user; 3 = one faint fit; 5 = some fit, mostly generic; 7 = clearly adapted in several ways; 9 = closely tailored; 10 = as tailored as the ideal reply.

Answer with one JSON object and nothing else:
{"helpfulness": <0-10>, "personalization": <0-10>, "reason": "<one or two sentences>"}`;
