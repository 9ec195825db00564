import { z } from "zod";
import type { BaseMessage } from "@langchain/core/messages";
import { MessagesZodMeta, type Messages } from "@langchain/langgraph";
import { registry } from "@langchain/langgraph/zod";
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

/** A field that keeps the last value written, with a default (later writes in one step win). */
function lastValue<S extends z.ZodType>(schema: S, initial: () => z.output<S>) {
  return schema.register(registry, {
    reducer: { fn: (_current: z.output<S>, update: z.output<S>) => update },
    default: initial,
  });
}

const learningSummary = z.object({
  outcome: z.string() as unknown as z.ZodType<LearningOutcome, LearningOutcome>,
  sessionIds: z.array(z.string()),
  version: z.number(),
  applied: z.number(),
  rejected: z.number(),
  error: z.string().optional(),
});

/**
 * State of the persona graph (one thread = one or more sessions of one user).
 * A zod schema registered with LangGraph's metadata registry, so the LangGraph
 * API server (Studio) shows `messages` as a chat and the other fields as state.
 */
export const PersonaGraphState = z.object({
  // An array schema (not z.custom) so it can be written as JSON Schema for Studio.
  messages: (z.array(z.any()) as unknown as z.ZodType<BaseMessage[], BaseMessage[]>)
    .describe("The conversation")
    .register(registry, MessagesZodMeta),
  /** Known persona fields of the user, as loaded at the start of the turn. */
  persona: lastValue(
    z.record(z.string(), z.unknown()).nullable().describe("Known persona fields of the user, as loaded at the start of the turn"),
    () => null,
  ),
  personaVersion: lastValue(
    z.number().describe("Version of the persona in the store (0: nothing learned yet)"),
    () => 0,
  ),
  sessionId: lastValue(z.string().nullable().describe("Id of this thread's current session"), () => null),
  /** Sessions this thread has had; a thread used again after its session ended starts a new one. */
  sessionCount: lastValue(z.number().describe("Sessions this thread has had"), () => 0),
  /** Index in `messages` where the current session begins. */
  sessionStart: lastValue(z.number().describe("Index in messages where the current session begins"), () => 0),
  endSession: lastValue(
    z.boolean().describe("Input flag: end the session after this turn (or now, when no message is sent)"),
    () => false,
  ),
  scene: lastValue(
    z.string().nullable().describe("Optional scene description added to the chatbot's system prompt"),
    () => null,
  ),
  /** Set by the session manager when learning should run at the end of this turn. */
  learningDue: lastValue(z.boolean().describe("Set when learning runs at the end of this turn"), () => false),
  lastLearning: lastValue(
    learningSummary.nullable().describe("Outcome of the last learning run started from this thread"),
    () => null,
  ),
});

/** The full state a node receives. */
export interface PersonaGraphStateType {
  messages: BaseMessage[];
  persona: PersonaValues | null;
  personaVersion: number;
  sessionId: string | null;
  sessionCount: number;
  sessionStart: number;
  endSession: boolean;
  scene: string | null;
  learningDue: boolean;
  lastLearning: LearningSummary | null;
}

/** A partial state update (the graph's input, or what a node returns). */
export type PersonaGraphUpdate = Partial<Omit<PersonaGraphStateType, "messages">> & { messages?: Messages };
