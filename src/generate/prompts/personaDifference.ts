/**
 * Added to the persona synthesis prompt when the last attempt was too close to an existing persona.
 * Placeholders: {similarity}, {nearest}.
 */
export const PERSONA_DIFFERENCE = `
Your previous version of this persona was nearly the same as a persona already in the benchmark (lexical similarity {similarity}):
<existing_persona>
{nearest}
</existing_persona>
Write Pattern and Preference so that they clearly differ from that persona, while staying true to the seed.
`;
