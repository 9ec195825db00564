/**
 * The tools part of the scene prompt when the scene offers APIs.
 * Placeholders: {capabilities}.
 */
export const SCENE_TOOLS_OFFERED = `In this scene the assistant can call apps through APIs. Capabilities that fit this kind of scene:
<capabilities>
{capabilities}
</capabilities>
Define in available_apis the one to four APIs the assistant needs here (only the essential ones), each with: name (a camelCase identifier such as searchFlights), arguments (argument names) and description (what it does and returns, one sentence, in English). The expected response should say when the assistant uses them.`;
