import { AIMessage } from "@langchain/core/messages";
import { Command } from "@langchain/langgraph";
import type { RunnableConfig } from "@langchain/core/runnables";
import { PERSONALIZED_CHATBOT, SESSION_RECORDER } from "./routes.js";

/** Where in `response_metadata` a reply carries that the user cancelled it part way. */
export const PARTIAL_REPLY_KEY = "persona_partial_reply";

/** The part of a compiled persona graph that {@link keepCancelledReply} uses. */
export interface CancellableGraph {
  getState(config: RunnableConfig): Promise<{ next: readonly string[] }>;
  updateState(config: RunnableConfig, values: unknown, asNode?: string): Promise<RunnableConfig>;
  invoke(input: null, config: RunnableConfig): Promise<unknown>;
}

/**
 * After a run was aborted while the chatbot was streaming (e.g. the user
 * pressed Ctrl-C), records the turn as the user saw it: their message and the
 * part of the reply already shown, marked `partial` in the transcript. The
 * reply joins the thread, so the next turn's model sees what the user saw.
 * Does nothing, and returns false, when nothing was shown or the run did not
 * stop in the chatbot (the aborted input is then dropped by the next turn).
 *
 * @param graph the compiled persona graph the run was aborted on (it needs a checkpointer)
 * @param config the run's config (thread id and user context), without the abort signal
 * @param shown the reply text shown to the user before the abort
 * @returns whether a turn was recorded
 * @example
 * try { for await (const _ of await graph.stream(input, { ...config, signal })) {} }
 * catch (error) { if (signal.aborted) await keepCancelledReply(graph, config, shownSoFar); }
 */
export async function keepCancelledReply(graph: CancellableGraph, config: RunnableConfig, shown: string): Promise<boolean> {
  if (shown.trim() === "") return false;
  const state = await graph.getState(config);
  if (state.next.length !== 1 || state.next[0] !== PERSONALIZED_CHATBOT) return false;
  const reply = new AIMessage({ content: shown, response_metadata: { [PARTIAL_REPLY_KEY]: true } });
  // As if the chatbot had returned the shown part: the recorder then closes the turn as usual.
  await graph.updateState(config, new Command({ update: { messages: [reply] }, goto: SESSION_RECORDER }), PERSONALIZED_CHATBOT);
  await graph.invoke(null, config);
  return true;
}
