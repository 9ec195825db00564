/** Sent after a reply that was not a valid call of the tool. Placeholders: {tool}, {error}. */
export const STRUCTURED_RETRY = `Your previous answer was rejected: {error}

Call the tool {tool} again, once, with every field filled in and corrected. Do not answer in plain text.`;
