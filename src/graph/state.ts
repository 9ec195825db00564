import { z } from "zod";
import { coerceMessageLikeToMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { Annotation, messagesStateReducer, MessagesZodMeta, type Messages } from "@langchain/langgraph";
import { registry } from "@langchain/langgraph/zod";
import type { PersonaValues } from "../schema/fields.js";
import type { LearningOutcome, SessionLedger } from "../memory/records.js";
import { checkMessageText, PersonaInputError } from "./input.js";
import { messageText } from "../render/messageText.js";

/** What the last learning run of this thread did. */
export interface LearningSummary {
  outcome: LearningOutcome;
  sessionIds: string[];
  version: number;
  applied: number;
  rejected: number;
  error?: string;
}

/** Where in `response_metadata` an input message carries the batch (the run) it arrived in. */
export const INPUT_BATCH_KEY = "persona_input_batch";

let batchCounter = 0;

/** The batch tag of a user message, if it has one. */
export function inputBatchOf(message: BaseMessage | undefined): string | undefined {
  const batch = (message?.response_metadata as Record<string, unknown> | undefined)?.[INPUT_BATCH_KEY];
  return typeof batch === "string" ? batch : undefined;
}

/**
 * LangGraph's messages reducer, plus: the user messages of one write (one
 * run's input) are tagged with a batch id, so the session manager can tell this
 * run's input from the input of a run that failed or was refused (LangGraph
 * saves a run's input before any node runs). Tags are set on copies; the
 * caller's message objects are not changed.
 */
export function personaMessagesReducer(current: BaseMessage[], update: Messages): BaseMessage[] {
  const list = (Array.isArray(update) ? update : [update]).map((item) =>
    coerceMessageLikeToMessage(item as Parameters<typeof coerceMessageLikeToMessage>[0]),
  );
  if (list.some((message) => message.getType() === "human" && !inputBatchOf(message))) {
    const batch = `${Date.now().toString(36)}.${(batchCounter++).toString(36)}`;
    for (const [index, message] of list.entries()) {
      if (message.getType() !== "human" || inputBatchOf(message)) continue;
      list[index] = new HumanMessage({
        content: message.content,
        ...(message.id ? { id: message.id } : {}),
        ...(message.name ? { name: message.name } : {}),
        additional_kwargs: message.additional_kwargs,
        response_metadata: { ...message.response_metadata, [INPUT_BATCH_KEY]: batch },
      });
    }
  }
  return messagesStateReducer(current, list);
}

const last = <T>(initial: () => T) => Annotation<T>({ reducer: (_current: T, update: T) => update, default: initial });

/**
 * The graph's channels (LangGraph Annotation: node updates are not re-validated).
 * One thread holds one or more sessions of one user.
 */
export const PersonaGraphAnnotation = Annotation.Root({
  /** The conversation of the thread (the chatbot sees only the current session's part). */
  messages: Annotation<BaseMessage[], Messages>({ reducer: personaMessagesReducer, default: () => [] }),
  /** Known persona fields of the user, as loaded at the start of the turn. */
  persona: last<PersonaValues | null>(() => null),
  /** Version of the persona in the store (0: nothing learned yet). */
  personaVersion: last<number>(() => 0),
  /** Id of this thread's current session. */
  sessionId: last<string | null>(() => null),
  /** Sessions this thread has had; a thread used again after its session ended starts a new one. */
  sessionCount: last<number>(() => 0),
  /** Index in `messages` where the current session begins. */
  sessionStart: last<number>(() => 0),
  /** Turns of the current session recorded so far. */
  sessionTurns: last<number>(() => 0),
  /** Index in `messages` where this turn's input begins; null when no turn is open. */
  turnStart: last<number | null>(() => null),
  /** Length of `messages` after the last recorded turn: later messages are this turn's, or stale. */
  recorded: last<number>(() => 0),
  /** The newest input batch a session manager has seen (see personaMessagesReducer). */
  seenBatch: last<string | null>(() => null),
  /** This turn opens a new session (set by the session manager, cleared by the recorder). */
  newSession: last<boolean>(() => false),
  /** Input flag: end the session after this turn (or now, when no message is sent). */
  endSession: last<boolean>(() => false),
  /** Optional scene description added to the chatbot's system prompt. */
  scene: last<string | null>(() => null),
  /** Set by the session recorder when learning runs at the end of this turn. */
  learningDue: last<boolean>(() => false),
  /** Outcome of the last learning run started from this thread. */
  lastLearning: last<LearningSummary | null>(() => null),
  /** Stored rows that did not fit their schema and were left out this turn (one line each). */
  memoryWarnings: last<string[]>(() => []),
  /** The session ledger as read when the turn opened (turn-local; saves the recorder a read). */
  turnLedger: last<{ ledger: SessionLedger; rev: number | null } | null>(() => null),
});

/** The full state a node receives. */
export type PersonaGraphStateType = typeof PersonaGraphAnnotation.State;

/** A partial state update (what a node returns). */
export type PersonaGraphUpdate = Partial<Omit<PersonaGraphStateType, "messages">> & { messages?: Messages };

/** Messages as the graph's input accepts them: a list, or one message. */
const messagesInput = (maxMessageChars: number) =>
  z
    .any()
    .superRefine((value: unknown) => {
      if (value === undefined) return;
      for (const item of Array.isArray(value) ? value : [value]) {
        let message: BaseMessage;
        try {
          message = coerceMessageLikeToMessage(item as Parameters<typeof coerceMessageLikeToMessage>[0]);
        } catch (error) {
          throw new PersonaInputError(`persona graph: a message in the input is not a message (${(error as Error).message})`);
        }
        if (message.getType() !== "human") continue;
        const problem = checkMessageText(messageText(message), maxMessageChars);
        // Thrown here, the run stops before LangGraph saves anything.
        if (problem) throw new PersonaInputError(`persona graph: ${problem}; nothing was stored`);
      }
    })
    .describe("New messages of this turn")
    // Display metadata only: the channel and its reducer come from PersonaGraphAnnotation.
    .register(registry, { jsonSchemaExtra: MessagesZodMeta.jsonSchemaExtra });

/**
 * The graph's input: checked before LangGraph checkpoints anything, so an
 * empty or oversized message is refused without a trace.
 */
export function personaInputSchema(maxMessageChars: number) {
  return z.object({
    messages: messagesInput(maxMessageChars).optional(),
    endSession: z.boolean().optional().describe("End the session after this turn (or now, when no message is sent)"),
    scene: z.string().nullable().optional().describe("Optional scene description added to the chatbot's system prompt"),
  });
}

const learningSummarySchema = z.object({
  outcome: z.string(),
  sessionIds: z.array(z.string()),
  version: z.number(),
  applied: z.number(),
  rejected: z.number(),
  error: z.string().optional(),
});

/**
 * What the graph returns and LangGraph Studio shows: `messages` as a chat, the
 * rest as fields. The same fields as {@link PersonaGraphAnnotation}, without
 * the turn-local bookkeeping.
 */
export const PersonaGraphState = z.object({
  messages: (z.array(z.any()) as unknown as z.ZodType<BaseMessage[], BaseMessage[]>)
    .describe("The conversation")
    .register(registry, { jsonSchemaExtra: MessagesZodMeta.jsonSchemaExtra }),
  persona: z.record(z.string(), z.unknown()).nullable().describe("Known persona fields of the user, as loaded at the start of the turn"),
  personaVersion: z.number().describe("Version of the persona in the store (0: nothing learned yet)"),
  sessionId: z.string().nullable().describe("Id of this thread's current session"),
  sessionCount: z.number().describe("Sessions this thread has had"),
  scene: z.string().nullable().describe("Optional scene description added to the chatbot's system prompt"),
  lastLearning: learningSummarySchema.nullable().describe("Outcome of the last learning run started from this thread"),
  memoryWarnings: z.array(z.string()).describe("Stored rows that did not fit their schema and were left out this turn"),
});
