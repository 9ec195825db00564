/**
 * The scene as the chatbot sees it when the protocol shows it (the graph's
 * `scene` state). Placeholders: {description}, {apis}.
 */
export const CHATBOT_SCENE = `{description}

APIs available in this scene (call them as tools):
{apis}`;

/** One API line of {apis}. Placeholders: {name}, {arguments}, {description}. */
export const CHATBOT_SCENE_API = `- {name}({arguments}): {description}`;

/** {apis} of a scene without APIs. Placeholders: none. */
export const CHATBOT_SCENE_NO_APIS = `none`;
