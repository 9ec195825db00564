import { z } from "zod";
import { coerceMessageLikeToMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { Annotation, messagesStateReducer, MessagesZodMeta, type Messages } from "@langchain/langgraph";
import { registry } from "@langchain/langgraph/zod";
import type { PersonaValues } from "../schema/fields.js";
import type { LearningOutcome, SessionLedger } from "../memory/records.js";
import { checkMessageText, PersonaInputError } from "./input.js";
import { messageText } from "../render/messageText.js";

/**
 * What the last learning run of this thread did.
 * @example
 * const { lastLearning } = await graph.invoke({ endSession: true }, config);
 * if (lastLearning?.outcome === "applied") console.log(`version ${lastLearning.version}`);
 */
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
 * @param current - the thread's messages
 * @param update - the messages of one write (a message, a list, or message-likes)
 * @returns the merged list, as LangGraph's messagesStateReducer merges it, with this write's user messages tagged
 * @example
 * const messages = Annotation<BaseMessage[], Messages>({ reducer: personaMessagesReducer, default: () => [] });
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

const learningSummarySchema = z.object({
  outcome: z.string(),
  sessionIds: z.array(z.string()),
  version: z.number(),
  applied: z.number(),
  rejected: z.number(),
  error: z.string().optional(),
});

/** One last-value field: its schema (with a description) and its default. */
interface Field<T, Public extends boolean = boolean> {
  schema: z.ZodType<T>;
  initial: () => T;
  /** Returned to callers and shown by Studio (turn-local bookkeeping is not). */
  public: Public;
}

function field<T>(schema: z.ZodType<T>, initial: () => T, description: string): Field<T, false>;
function field<T>(schema: z.ZodType<T>, initial: () => T, description: string, isPublic: true): Field<T, true>;
function field<T>(schema: z.ZodType<T>, initial: () => T, description: string, isPublic = false): Field<T> {
  return { schema: schema.describe(description) as z.ZodType<T>, initial, public: isPublic };
}

/**
 * Every field of the graph's state but `messages`, defined once: the Annotation
 * channels and the zod schemas below are derived from this table.
 */
const FIELDS = {
  persona: field<PersonaValues | null>(z.record(z.string(), z.unknown()).nullable(), () => null, "Known persona fields of the user, as loaded at the start of the turn", true),
  personaVersion: field<number>(z.number(), () => 0, "Version of the persona in the store (0: nothing learned yet)", true),
  sessionId: field<string | null>(z.string().nullable(), () => null, "Id of this thread's current session", true),
  sessionCount: field<number>(z.number(), () => 0, "Sessions this thread has had; a thread used again after its session ended starts a new one", true),
  sessionStart: field<number>(z.number(), () => 0, "Index in messages where the current session begins"),
  sessionTurns: field<number>(z.number(), () => 0, "Turns of the current session recorded so far"),
  turnStart: field<number | null>(z.number().nullable(), () => null, "Index in messages where this turn's input begins; null when no turn is open"),
  recorded: field<number>(z.number(), () => 0, "Length of messages after the last recorded turn: later messages are this turn's, or stale"),
  seenBatch: field<string | null>(z.string().nullable(), () => null, "The newest input batch a session manager has seen"),
  newSession: field<boolean>(z.boolean(), () => false, "This turn opens a new session"),
  endSession: field<boolean>(z.boolean(), () => false, "Input flag: end the session after this turn (or now, when no message is sent)"),
  scene: field<string | null>(z.string().nullable(), () => null, "Optional scene description added to the chatbot's system prompt", true),
  learningDue: field<boolean>(z.boolean(), () => false, "Set by the session recorder when learning runs at the end of this turn"),
  lastLearning: field<LearningSummary | null>(
    learningSummarySchema.nullable() as unknown as z.ZodType<LearningSummary | null>,
    () => null,
    "Outcome of the last learning run started from this thread",
    true,
  ),
  memoryWarnings: field<string[]>(z.array(z.string()), () => [], "Stored rows that did not fit their schema and were left out this turn", true),
  turnLedger: field<{ ledger: SessionLedger; rev: number | null } | null>(
    z.any() as z.ZodType<{ ledger: SessionLedger; rev: number | null } | null>,
    () => null,
    "The session ledger as read when the turn opened (turn-local)",
  ),
};

type Fields = typeof FIELDS;
type FieldValue<F> = F extends Field<infer T> ? T : never;

function annotationOf<F extends Field<unknown>>(definition: F) {
  return Annotation<FieldValue<F>>({ reducer: (_current: FieldValue<F>, update: FieldValue<F>) => update, default: definition.initial as () => FieldValue<F> });
}

/**
 * The graph's channels (LangGraph Annotation: node updates are not validated,
 * which keeps a turn lean). One thread holds one or more sessions of one user.
 * @example
 * const builder = new StateGraph(PersonaGraphAnnotation).addNode(SESSION_MANAGER, createSessionManagerNode(settings));
 */
export const PersonaGraphAnnotation = Annotation.Root({
  /** The conversation of the thread (the chatbot sees only the current session's part). */
  messages: Annotation<BaseMessage[], Messages>({ reducer: personaMessagesReducer, default: () => [] }),
  ...(Object.fromEntries(Object.entries(FIELDS).map(([name, definition]) => [name, annotationOf(definition)])) as {
    [K in keyof Fields]: ReturnType<typeof annotationOf<Fields[K]>>;
  }),
});

/**
 * The full state a node receives.
 * @example
 * const node = async (state: PersonaGraphStateType) => ({ scene: state.scene ?? null });
 */
export type PersonaGraphStateType = typeof PersonaGraphAnnotation.State;

/**
 * A partial state update (what a node returns).
 * @example
 * const update: PersonaGraphUpdate = { messages: [new AIMessage("hi")] };
 */
export type PersonaGraphUpdate = Partial<Omit<PersonaGraphStateType, "messages">> & { messages?: Messages };

const messagesDisplay = { jsonSchemaExtra: MessagesZodMeta.jsonSchemaExtra };

/**
 * The same state as a zod schema with LangGraph reducers, for graphs that
 * validate every node's update (`validateState: true`, what the served graphs
 * use: LangGraph Studio reads the state's JSON schema from it).
 * @example
 * const builder = new StateGraph({ state: PersonaGraphZodState, context: PersonaContextSchema });
 */
export const PersonaGraphZodState = z.object({
  messages: (z.array(z.any()) as unknown as z.ZodType<BaseMessage[], Messages>)
    .describe("The conversation")
    .register(registry, { ...messagesDisplay, reducer: { fn: personaMessagesReducer }, default: () => [] }),
  ...(Object.fromEntries(
    Object.entries(FIELDS).map(([name, definition]) => [
      name,
      // A copy: registering a reducer on the shared schema would change the output schema's channels too.
      (definition.schema as z.ZodType).describe(definition.schema.description ?? name).register(registry, {
        reducer: { fn: (_current: unknown, update: unknown) => update },
        default: definition.initial,
      }),
    ]),
  ) as unknown as { [K in keyof Fields]: Fields[K]["schema"] }),
});

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
 * @param maxMessageChars - the longest user message accepted
 * @returns the zod input schema
 * @example
 * new StateGraph({ state: PersonaGraphAnnotation, input: personaInputSchema(DEFAULT_MAX_MESSAGE_CHARS) });
 */
export function personaInputSchema(maxMessageChars: number) {
  return z.object({
    messages: messagesInput(maxMessageChars).optional(),
    endSession: z.boolean().optional().describe("End the session after this turn (or now, when no message is sent)"),
    scene: z.string().nullable().optional().describe("Optional scene description added to the chatbot's system prompt"),
  });
}

/**
 * What the graph returns and LangGraph Studio shows: `messages` as a chat, the
 * public fields of the state (not the turn-local bookkeeping).
 * @example
 * const { messages, persona, personaVersion } = await graph.invoke(input, config); // typed by PersonaGraphState
 */
export const PersonaGraphState = z.object({
  messages: (z.array(z.any()) as unknown as z.ZodType<BaseMessage[], BaseMessage[]>).describe("The conversation").register(registry, messagesDisplay),
  ...(Object.fromEntries(Object.entries(FIELDS).filter(([, definition]) => definition.public).map(([name, definition]) => [name, definition.schema])) as {
    [K in keyof Fields as Fields[K]["public"] extends true ? K : never]: Fields[K]["schema"];
  }),
});
