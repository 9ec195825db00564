import { RemoveMessage, type BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { PersonaMemory } from "../../memory/personaMemory.js";
import { turnsFromMessages } from "../../learning/transcripts.js";
import { requireStore, resolveThreadId, resolveUserId } from "../context.js";
import type { PersonaSettings } from "../options.js";
import { checkThreadId, checkUserMessage, PersonaInputError } from "../input.js";
import type { PersonaGraphStateType, PersonaGraphUpdate } from "../state.js";

export const SESSION_MANAGER = "session_manager";

function isHuman(message: BaseMessage | undefined): boolean {
  return message?.getType() === "human";
}

/** Index of the first message of the trailing run of user messages (the new input). */
function newInputStart(messages: BaseMessage[]): number {
  let index = messages.length;
  while (index > 0 && isHuman(messages[index - 1])) index--;
  return index;
}

function sessionIdFor(threadId: string, count: number): string {
  return count === 1 ? threadId : `${threadId}#${count}`;
}

/**
 * Runs at both ends of a turn.
 * Opening (the last message is the user's): loads the persona, registers the
 * thread's session (a new one if none is open) and ends the user's sessions in
 * other threads. Closing (the reply is in, or an end-only input): saves the
 * session transcript, ends the session if asked, and decides whether learning
 * is due.
 */
export function createSessionManagerNode(settings: PersonaSettings) {
  return async function sessionManager(
    state: PersonaGraphStateType,
    config: LangGraphRunnableConfig,
  ): Promise<PersonaGraphUpdate> {
    const userId = resolveUserId(config);
    const threadId = resolveThreadId(config);
    const threadProblem = checkThreadId(threadId);
    if (threadProblem) throw new PersonaInputError(`persona graph: invalid "thread_id": ${threadProblem}`);
    const memory = new PersonaMemory(requireStore(config), userId);
    let messages = state.messages;
    const removals: RemoveMessage[] = [];

    if (isHuman(messages.at(-1))) {
      // LangGraph checkpoints a run's input before any node runs, so a message
      // rejected in an earlier run is still at the end of the thread: drop it
      // now instead of failing on it forever. The newest message is checked.
      const problem = checkUserMessage(messages.at(-1)!, settings.maxMessageChars);
      if (problem) throw new PersonaInputError(`persona graph: ${problem}; nothing was stored`);
      const start = newInputStart(messages);
      for (const message of messages.slice(start, -1)) {
        if (message.id && checkUserMessage(message, settings.maxMessageChars)) {
          removals.push(new RemoveMessage({ id: message.id }));
        }
      }
      if (removals.length) {
        const removed = new Set(removals.map((removal) => removal.id));
        messages = messages.filter((message) => !message.id || !removed.has(message.id));
      }
    }

    if (isHuman(messages.at(-1))) {
      const document = await memory.load();
      const current = state.sessionId ? await memory.getSession(state.sessionId) : undefined;
      if (current?.status === "open") {
        return {
          persona: document.persona,
          personaVersion: document.version,
          learningDue: false,
          ...(removals.length ? { messages: removals } : {}),
        };
      }
      const sessionCount = state.sessionCount + 1;
      const sessionId = sessionIdFor(threadId, sessionCount);
      await memory.startSession(sessionId, threadId);
      for (const other of await memory.sessions("open")) {
        if (other.sessionId !== sessionId) await memory.endSession(other.sessionId, "new_thread");
      }
      return {
        persona: document.persona,
        personaVersion: document.version,
        sessionId,
        sessionCount,
        sessionStart: newInputStart(messages),
        learningDue: false,
        ...(removals.length ? { messages: removals } : {}),
      };
    }

    if (state.sessionId) {
      await memory.saveTranscript(state.sessionId, turnsFromMessages(messages.slice(state.sessionStart)));
      if (state.endSession) await memory.endSession(state.sessionId, "explicit");
    }
    const learningDue =
      settings.learning === "inline" && (await memory.sessions("ended")).length >= settings.updateEvery;
    return { endSession: false, learningDue };
  };
}
