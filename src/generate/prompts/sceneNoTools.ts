/** The tools part of the scene prompt when the scene offers no APIs. No placeholders. */
export const SCENE_NO_TOOLS = `In this scene the assistant has no apps and no web search: the scene must be answerable from the conversation alone.`;
