import { Command, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { PersonaMemory } from "../../memory/personaMemory.js";
import { turnsFromMessages } from "../../learning/transcripts.js";
import { requireStore, resolveThreadId, resolveUserId } from "../context.js";
import type { PersonaSettings } from "../options.js";
import type { PersonaGraphStateType, PersonaGraphUpdate } from "../state.js";

import { routeAfterRecorder } from "../routes.js";
import { PARTIAL_REPLY_KEY } from "../cancelledReply.js";


/**
 * Closes a turn: saves the turn's transcript (the user's messages and the
 * reply they were shown) and updates the user's session ledger in one atomic
 * store write, ends the session when the input asked for it (and the user's
 * other open sessions when this turn opened a new one), and decides whether
 * learning is due (a session ended and at least k are waiting).
 * @param settings - the resolved settings ({@link resolvePersonaSettings})
 * @returns the node function (state, config) for StateGraph.addNode
 * @example
 * builder.addNode(SESSION_RECORDER, createSessionRecorderNode(settings), { ends: [PERSONA_UPDATE, END] });
 */
export function createSessionRecorderNode(settings: PersonaSettings) {
  return async function sessionRecorder(
    state: PersonaGraphStateType,
    config: LangGraphRunnableConfig,
  ): Promise<Command> {
    const update = await closeTurn(state, config);
    return new Command({ update, goto: routeAfterRecorder(update.learningDue ?? false) });
  };

  async function closeTurn(state: PersonaGraphStateType, config: LangGraphRunnableConfig): Promise<PersonaGraphUpdate> {
    const closed: PersonaGraphUpdate = { endSession: false, newSession: false, turnStart: null, turnLedger: null };
    const turnMessages = state.turnStart !== null ? state.messages.slice(state.turnStart) : [];
    // A reply the user cancelled part way is kept as shown, and marked.
    const partial = (turnMessages.at(-1)?.response_metadata as Record<string, unknown> | undefined)?.[PARTIAL_REPLY_KEY] === true;
    const turn =
      state.turnStart !== null && state.sessionId
        ? { index: state.sessionTurns, messages: turnsFromMessages(turnMessages), ...(partial ? { partial } : {}) }
        : undefined;
    if (!state.sessionId || (!turn && !state.endSession)) return { ...closed, learningDue: false };
    const memory = new PersonaMemory(requireStore(config), resolveUserId(config), { schema: settings.schema });
    const result = await memory.recordTurn({
      sessionId: state.sessionId,
      threadId: resolveThreadId(config),
      newSession: state.newSession,
      ...(turn ? { turn } : {}),
      endSession: state.endSession,
      ...(state.turnLedger ? { known: state.turnLedger } : {}),
    });
    return {
      ...closed,
      ...(turn ? { sessionTurns: state.sessionTurns + 1, recorded: state.messages.length } : {}),
      // Learning is considered when a session ends, so a failing learner is not retried on every turn.
      learningDue:
        settings.learning === "inline" && result.endedSessionIds.length > 0 && result.pendingCount >= settings.updateEvery,
    };
  }
}
