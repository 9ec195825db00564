/** Past sessions for the full-history condition. Placeholders: {sessions}. */
export const PAST_SESSIONS_ALL = `<past_sessions>
Earlier conversations with this user, oldest first:

{sessions}
</past_sessions>`;

/** Past sessions for the rag condition. Placeholders: {sessions}. */
export const PAST_SESSIONS_RETRIEVED = `<past_sessions>
Earlier conversations with this user that look relevant to this one:

{sessions}
</past_sessions>`;
