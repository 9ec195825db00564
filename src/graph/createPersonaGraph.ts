import { END, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { preloadTokenizer } from "../render/tokens.js";
import { PersonaContextSchema } from "./context.js";
import { resolvePersonaSettings, type PersonaGraphOptions, type PersonaSettings } from "./options.js";
import { PersonaGraphAnnotation, PersonaGraphState, PersonaGraphZodState, personaInputSchema } from "./state.js";
import { createSessionManagerNode } from "./nodes/sessionManager.js";
import { createPersonalizedChatbotNode } from "./nodes/personalizedChatbot.js";
import { createSessionRecorderNode } from "./nodes/sessionRecorder.js";
import { createPersonaUpdateNode } from "./nodes/personaUpdate.js";
import { PERSONA_UPDATE, PERSONALIZED_CHATBOT, SESSION_MANAGER, SESSION_RECORDER, TOOL_EXECUTOR } from "./routes.js";

/**
 * Graphs compiled from these builders save one checkpoint per run (LangGraph
 * `durability: "exit"`) instead of one per step: a turn crosses several nodes,
 * and every step's checkpoint would write the whole thread again. A run that
 * fails keeps its input in the checkpoint, never half a turn. Pass another
 * `durability` per run to override.
 */
function checkpointOncePerRun<Builder extends { compile: (...args: never[]) => { withConfig: (config: { durability: "exit" }) => unknown } }>(
  builder: Builder,
): Builder {
  const compile = builder.compile.bind(builder) as (...args: never[]) => { withConfig: (config: { durability: "exit" }) => unknown };
  builder.compile = ((...args: never[]) => compile(...args).withConfig({ durability: "exit" })) as Builder["compile"];
  return builder;
}

/**
 * The state's channels; with `validateState` the same state as a zod schema, so
 * LangGraph validates node updates and Studio can read the state's JSON schema.
 */
function stateFor(settings: PersonaSettings): typeof PersonaGraphAnnotation {
  return (settings.validateState ? PersonaGraphZodState : PersonaGraphAnnotation) as typeof PersonaGraphAnnotation;
}

/**
 * Builds the persona chatbot graph, uncompiled: compile it with the
 * checkpointer and store of your choice, and pass the user id as context.
 * A turn runs session_manager → personalized_chatbot (⇄ tools) →
 * session_recorder (→ persona_update when learning is due).
 *
 * @param options the model and the persona settings (see PersonaGraphOptions)
 * @returns an uncompiled StateGraph
 * @example
 * const graph = createPersonaGraph({ model }).compile({ checkpointer, store });
 * await graph.invoke({ messages: [new HumanMessage("hi")] },
 *   { configurable: { thread_id: "t1" }, context: { userId: "u1" } });
 * await graph.invoke({ endSession: true }, { configurable: { thread_id: "t1" }, context: { userId: "u1" } });
 */
export function createPersonaGraph(options: PersonaGraphOptions) {
  const settings = resolvePersonaSettings(options);
  // The persona block is bounded in exact tokens: build the tokenizer now, not on the first reply.
  preloadTokenizer();
  const builder = new StateGraph({
    state: stateFor(settings),
    input: personaInputSchema(settings.maxMessageChars),
    output: PersonaGraphState,
    context: PersonaContextSchema,
  })
    // Nodes route with Command (see routes.ts): no separate edge function runs per step.
    .addNode(SESSION_MANAGER, createSessionManagerNode(settings), { ends: [PERSONALIZED_CHATBOT, SESSION_RECORDER] })
    .addNode(PERSONALIZED_CHATBOT, createPersonalizedChatbotNode(settings), { ends: [TOOL_EXECUTOR, SESSION_RECORDER] })
    .addNode(TOOL_EXECUTOR, new ToolNode(settings.tools))
    .addNode(SESSION_RECORDER, createSessionRecorderNode(settings), { ends: [PERSONA_UPDATE, END] })
    .addNode(PERSONA_UPDATE, createPersonaUpdateNode(settings))
    .addEdge(START, SESSION_MANAGER)
    .addEdge(TOOL_EXECUTOR, PERSONALIZED_CHATBOT)
    .addEdge(PERSONA_UPDATE, END);
  return checkpointOncePerRun(builder);
}

/**
 * Builds the standalone persona learner graph, uncompiled: given the user id
 * in context, it learns that user's ended, not yet learned sessions. Schedule
 * it in the background when the chat graph uses `learning: "background"`.
 *
 * @param options the learner model and persona settings (see PersonaGraphOptions)
 * @returns an uncompiled StateGraph
 * @example
 * const learner = createPersonaLearnerGraph({ model }).compile({ store });
 * await learner.invoke({}, { context: { userId: "u1" } });
 */
export function createPersonaLearnerGraph(options: PersonaGraphOptions) {
  const settings = resolvePersonaSettings(options);
  const builder = new StateGraph({
    state: stateFor(settings),
    output: PersonaGraphState,
    context: PersonaContextSchema,
  })
    .addNode(PERSONA_UPDATE, createPersonaUpdateNode(settings))
    .addEdge(START, PERSONA_UPDATE)
    .addEdge(PERSONA_UPDATE, END);
  return checkpointOncePerRun(builder);
}
