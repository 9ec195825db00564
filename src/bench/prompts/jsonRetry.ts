/** Sent once after a reply that was not the JSON object asked for. Placeholders: {error}. */
export const JSON_RETRY = `Your answer could not be read ({error}). Answer again with the JSON object only, exactly in the format asked for.`;
