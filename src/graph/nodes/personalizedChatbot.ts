import { SystemMessage } from "@langchain/core/messages";
import { Command, type LangGraphRunnableConfig } from "@langchain/langgraph";
import type { Runnable } from "@langchain/core/runnables";
import type { BaseMessage } from "@langchain/core/messages";
import { renderPersonaBlock } from "../../render/personaBlock.js";
import {
  CHATBOT_NO_PERSONA_SECTION,
  CHATBOT_PERSONA_SECTION,
  CHATBOT_SCENE_SECTION,
} from "../../prompts/chatbotPrompt.js";
import { formatPrompt } from "../../prompts/formatPrompt.js";
import type { PersonaSettings } from "../options.js";
import { requireStore, resolveThreadId, resolveUserId } from "../context.js";
import type { PersonaGraphStateType, PersonaGraphUpdate } from "../state.js";

import { routeAfterChatbot } from "../routes.js";


/**
 * The chatbot's system prompt: the instructions, then the persona as quoted
 * data (`renderPersonaBlock`: escaped values, only values that fit the schema,
 * at most 600 tokens) with the framing that it describes the user and never
 * overrides the instructions, then the scene and any extra context.
 *
 * @param settings The instructions and the persona schema.
 * @param state The persona and the optional scene.
 * @param extra Text from `extraContext`.
 * @returns The system prompt.
 * @example
 * buildChatbotSystemPrompt({ instructions: "Be brief.", schema: defaultPersonaSchema }, { persona: { Demographics: { Name: "Ann" } } });
 */
export function buildChatbotSystemPrompt(
  settings: Pick<PersonaSettings, "instructions" | "schema">,
  state: Pick<PersonaGraphStateType, "persona"> & Partial<Pick<PersonaGraphStateType, "scene">>,
  extra?: string,
): string {
  const block = renderPersonaBlock(state.persona, settings.schema).text;
  const sections = [settings.instructions, block ? formatPrompt(CHATBOT_PERSONA_SECTION, { block }) : CHATBOT_NO_PERSONA_SECTION];
  if (state.scene) sections.push(formatPrompt(CHATBOT_SCENE_SECTION, { scene: state.scene }));
  if (extra?.trim()) sections.push(extra.trim());
  return sections.join("\n\n");
}

/**
 * Answers the user with the persona in the system prompt and the caller's
 * tools bound; the model sees the current session's messages only.
 * @param settings - the resolved settings ({@link resolvePersonaSettings})
 * @returns the node function (state, config) for StateGraph.addNode
 * @example
 * builder.addNode(PERSONALIZED_CHATBOT, createPersonalizedChatbotNode(settings), { ends: [TOOL_EXECUTOR, SESSION_RECORDER] });
 */
export function createPersonalizedChatbotNode(settings: PersonaSettings) {
  let bound: Runnable<BaseMessage[], BaseMessage> | undefined;
  const model = (): Runnable<BaseMessage[], BaseMessage> => {
    if (bound) return bound;
    if (settings.tools.length === 0) {
      bound = settings.model;
    } else if (typeof settings.model.bindTools !== "function") {
      throw new Error("persona graph: options.model cannot call tools (it has no bindTools), but tools were given");
    } else {
      bound = settings.model.bindTools(settings.tools) as Runnable<BaseMessage[], BaseMessage>;
    }
    return bound;
  };
  return async function personalizedChatbot(
    state: PersonaGraphStateType,
    config: LangGraphRunnableConfig,
  ): Promise<Command> {
    // Only the current session: a thread reused across sessions must not grow the prompt.
    const session = state.messages.slice(state.sessionStart);
    const extra = settings.extraContext
      ? await settings.extraContext({
          userId: resolveUserId(config),
          threadId: resolveThreadId(config),
          store: requireStore(config),
          messages: session,
        })
      : undefined;
    const system = new SystemMessage(buildChatbotSystemPrompt(settings, state, extra));
    const reply = await model().invoke([system, ...session], config);
    const update: PersonaGraphUpdate = { messages: [reply] };
    return new Command({ update, goto: routeAfterChatbot(reply) });
  };
}
