import { Annotation, MessagesAnnotation } from "@langchain/langgraph";
import type { PersonaValues } from "../schema/fields.js";
import type { LearningOutcome } from "../memory/types.js";

/** What the last learning run of this thread did. */
export interface LearningSummary {
  outcome: LearningOutcome;
  sessionIds: string[];
  version: number;
  applied: number;
  rejected: number;
  error?: string;
}

const lastValue = <T>(initial: () => T) =>
  Annotation<T>({ reducer: (_current: T, update: T) => update, default: initial });

/** State of the persona graph (one thread = one or more sessions of one user). */
export const PersonaGraphState = Annotation.Root({
  ...MessagesAnnotation.spec,
  /** Known persona fields of the user, as loaded at the start of the turn. */
  persona: lastValue<PersonaValues | null>(() => null),
  /** Version of `persona` in the store (0: nothing learned yet). */
  personaVersion: lastValue<number>(() => 0),
  /** Id of this thread's current session. */
  sessionId: lastValue<string | null>(() => null),
  /** Sessions this thread has had; a thread used again after its session ended starts a new one. */
  sessionCount: lastValue<number>(() => 0),
  /** Index in `messages` where the current session begins. */
  sessionStart: lastValue<number>(() => 0),
  /** Input flag: end the session after this turn (or now, when no message is sent). */
  endSession: lastValue<boolean>(() => false),
  /** Optional scene description added to the chatbot's system prompt. */
  scene: lastValue<string | null>(() => null),
  /** Set by the session manager when learning should run at the end of this turn. */
  learningDue: lastValue<boolean>(() => false),
  /** Outcome of the last learning run started from this thread. */
  lastLearning: lastValue<LearningSummary | null>(() => null),
});

export type PersonaGraphStateType = typeof PersonaGraphState.State;
export type PersonaGraphUpdate = typeof PersonaGraphState.Update;
