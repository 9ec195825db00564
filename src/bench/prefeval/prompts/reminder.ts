/**
 * The question's message under the `reminder` condition: the preference
 * restated before the question. Placeholders: {preference}, {question}.
 */
export const PREFEVAL_REMINDER = `Before you answer, keep in mind what I told you earlier: {preference}

{question}`;
