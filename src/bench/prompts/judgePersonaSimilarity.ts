/**
 * Similarity of a learned persona to the true one, per field group, 0-10.
 * Placeholders: {golden} (JSON), {learned} (JSON), {groups} (the group names, comma separated).
 */
export const JUDGE_PERSONA_SIMILARITY = `You compare a persona that an assistant learned about a user with the user's true persona.

True persona (JSON):
{golden}

Learned persona (JSON; absent fields were not learned):
{learned}

For each field group ({groups}) give an integer from 0 to 10: how well the learned fields of the group match the true ones in meaning (not wording).
  0 = nothing learned or all wrong; 3 = a little right; 5 = about half right; 7 = mostly right; 10 = the same meaning.
A wrong value is worse than a missing one.

Answer with one JSON object and nothing else, one key per group:
{"scores": {"<group>": <0-10>, ...}, "reason": "<one or two sentences>"}`;
