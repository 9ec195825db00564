import { RemoveMessage, type BaseMessage } from "@langchain/core/messages";
import { Command, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { describeRecordProblem, PersonaMemory, PersonaThreadOwnershipError, sessionIdFor } from "../../memory/personaMemory.js";
import { requireStore, resolveThreadId, resolveUserId } from "../context.js";
import type { PersonaSettings } from "../options.js";
import { inputBatchOf, type PersonaGraphStateType, type PersonaGraphUpdate } from "../state.js";

import { routeAfterSessionManager } from "../routes.js";


/**
 * Splits the unrecorded tail of the thread into this run's input (the newest
 * input batch, unless a session manager already saw it) and stale messages: the
 * input of runs that failed or were refused, which LangGraph had saved.
 */
export function splitTurnInput(
  messages: BaseMessage[],
  recorded: number,
  seenBatch: string | null,
): { stale: BaseMessage[]; input: BaseMessage[]; batch: string | null } {
  const tail = messages.slice(Math.min(recorded, messages.length));
  const last = tail.at(-1);
  if (!last || last.getType() !== "human") return { stale: tail, input: [], batch: null };
  const batch = inputBatchOf(last) ?? null;
  if (batch !== null && batch === seenBatch) return { stale: tail, input: [], batch: null };
  let start = tail.length;
  // The trailing run of user messages of the newest batch (untagged messages: the trailing run of user messages).
  while (start > 0 && tail[start - 1]!.getType() === "human" && (inputBatchOf(tail[start - 1]) ?? null) === batch) start--;
  return { stale: tail.slice(0, start), input: tail.slice(start), batch };
}

/**
 * Opens a turn, before anything reaches the model: checks that the thread
 * belongs to the run's user (claiming it on first use), reads the persona and
 * the user's session ledger in one store round trip, drops stale input, and
 * decides which session the turn belongs to (a new one when the thread has no
 * open session). It writes nothing to the store except a new thread's owner.
 * Returns a Command: the update and the next node (see routeAfterSessionManager).
 * @param settings - the resolved settings ({@link resolvePersonaSettings})
 * @returns the node function (state, config) for StateGraph.addNode
 * @example
 * builder.addNode(SESSION_MANAGER, createSessionManagerNode(settings), { ends: [PERSONALIZED_CHATBOT, SESSION_RECORDER] });
 */
export function createSessionManagerNode(settings: PersonaSettings) {
  return async function sessionManager(
    state: PersonaGraphStateType,
    config: LangGraphRunnableConfig,
  ): Promise<Command> {
    const update = await openTurn(state, config);
    return new Command({ update, goto: routeAfterSessionManager(update.turnStart ?? null) });
  };

  async function openTurn(state: PersonaGraphStateType, config: LangGraphRunnableConfig): Promise<PersonaGraphUpdate> {
    const userId = resolveUserId(config);
    const threadId = resolveThreadId(config);
    const memory = new PersonaMemory(requireStore(config), userId, { schema: settings.schema });
    const context = await memory.openTurn(threadId);
    if (context.owner && context.owner.userId !== userId) throw new PersonaThreadOwnershipError(threadId, userId);
    if (!context.owner) await memory.claimThread(threadId);

    const { stale, input, batch } = splitTurnInput(state.messages, state.recorded, state.seenBatch);
    const removals = stale.filter((message) => message.id).map((message) => new RemoveMessage({ id: message.id! }));
    // Index of the input once the stale messages are removed.
    const inputStart = Math.min(state.recorded, state.messages.length) + stale.length - removals.length;
    const opened: PersonaGraphUpdate = {
      persona: context.document.persona,
      personaVersion: context.document.version,
      memoryWarnings: context.problems.map(describeRecordProblem),
      turnLedger: { ledger: context.ledger, rev: context.ledgerRev },
      learningDue: false,
      ...(removals.length ? { messages: removals } : {}),
      ...(batch !== null ? { seenBatch: batch } : {}),
    };
    if (input.length === 0) return { ...opened, turnStart: null, newSession: false, recorded: inputStart };
    const current = state.sessionId ? context.ledger.sessions.find((session) => session.sessionId === state.sessionId) : undefined;
    if (current?.status === "open") return { ...opened, turnStart: inputStart, newSession: false, recorded: inputStart };
    const sessionCount = state.sessionCount + 1;
    return {
      ...opened,
      sessionId: sessionIdFor(threadId, sessionCount),
      sessionCount,
      sessionStart: inputStart,
      sessionTurns: 0,
      turnStart: inputStart,
      recorded: inputStart,
      newSession: true,
    };
  }
}
