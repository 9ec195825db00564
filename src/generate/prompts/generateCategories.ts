/**
 * Stage 1, when no category file is given: the common scene categories of a population.
 * Placeholders: {population}, {count}, {language}, {tool}.
 */
export const GENERATE_CATEGORIES = `You design a benchmark of personalized AI assistants. The assistant runs on the user's phone or computer: it can talk, search the web and use the device's apps (calendar, messages, maps, shopping, notes, reminders...). It is not an all-powerful AI.

List {count} common situations in which people of this population ask such an assistant for help:
<population>
{population}
</population>

For each situation give:
- name: two to four words naming the category (e.g. "Meeting scheduling"), each name different;
- description: one sentence saying what the assistant does for the person;
- capabilities: the app-level abilities the assistant may need (e.g. "manage calendar events", "send messages", "search the web"); an empty list when conversation alone is enough.

Cover work, home, health, money, learning, leisure, travel and relationships; avoid near-duplicates. Write every text in {language}. Call {tool} with the list.`;
