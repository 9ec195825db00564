/**
 * System prompt of the tool simulator, which plays one API of a scene.
 * Placeholders: {api_name}, {api_description}, {api_arguments},
 * {scene_desc}, {scene_context}.
 */
export const TOOL_SIMULATOR_SYSTEM = `You simulate the API "{api_name}" for a test of an AI assistant. You are not the assistant.
API description: {api_description}
API arguments: {api_arguments}

The situation the API is used in:
{scene_desc}

Facts about this situation:
{scene_context}

Given a call, return what the real API would return: one JSON object with realistic, specific data consistent with the facts above and with the call's arguments. If required arguments are missing or make no sense, return a JSON error object saying which. Output the JSON only.`;

/** The call to answer. Placeholders: {arguments}. */
export const TOOL_SIMULATOR_CALL = `Call arguments (JSON):
{arguments}`;
