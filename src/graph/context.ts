import { z } from "zod";
import type { BaseCheckpointSaver, BaseStore, LangGraphRunnableConfig } from "@langchain/langgraph";
import { idProblem } from "../memory/namespaces.js";
import { checkThreadId, PersonaInputError } from "./input.js";

// No double quotes in these messages: the LangGraph API server JSON-encodes a failed task's error
// (and runs.wait encodes the error event once more), so every quote would reach Studio as \" or \\\".
/** The error message of a run without a user id. */
export const MISSING_USER_ID =
  "persona graph: missing userId. Pass it in the run's context, { context: { userId: 'alice' } }, or as configurable.userId.";
/** The error message of a run without a thread id. */
export const MISSING_THREAD_ID =
  "persona graph: missing thread_id. Compile with a checkpointer and pass { configurable: { thread_id: 't1' } }: each thread is a session.";

function checkUserId(value: unknown): void {
  if (value === undefined) return;
  const problem = idProblem(value, "user id");
  // Thrown while LangGraph validates the run's context: the run stops before anything is saved.
  if (problem) throw new PersonaInputError(`persona graph: invalid userId: ${problem}`);
}

/**
 * Run context of the persona graphs: who the user is. User ids are compared
 * exactly; an id with surrounding whitespace or control characters is refused
 * before the run starts.
 * @example
 * await graph.invoke(input, { configurable: { thread_id: "t1" }, context: { userId: "alice" } });
 */
export const PersonaContextSchema = z.object({
  // Optional here so a missing id reaches resolveUserId, whose error says how to pass it.
  userId: z
    .string()
    .optional()
    .superRefine((value) => checkUserId(value))
    .describe("Id of the user whose persona this run reads and learns"),
});

/**
 * The run context of the persona graphs (see {@link PersonaContextSchema}).
 * @example
 * const context: PersonaContext = { userId: "alice" };
 */
export type PersonaContext = z.infer<typeof PersonaContextSchema>;

/**
 * Reads the user id from `context.userId`, or `configurable.userId` / `configurable.user_id`.
 * Throws PersonaInputError when it is missing or unusable.
 * @param config - the node's config
 * @returns the user id
 * @example
 * resolveUserId({ context: { userId: "alice" } }); // "alice"
 */
export function resolveUserId(config: LangGraphRunnableConfig): string {
  const context = (config.context ?? {}) as Record<string, unknown>;
  const configurable = (config.configurable ?? {}) as Record<string, unknown>;
  const userId = context.userId ?? configurable.userId ?? configurable.user_id;
  if (userId === undefined || userId === null) {
    throw new PersonaInputError(MISSING_USER_ID);
  }
  checkUserId(userId);
  return userId as string;
}

/**
 * The run's thread id; each thread holds one user's sessions. Throws PersonaInputError when it
 * is missing or unusable.
 * @param config - the node's config
 * @returns the thread id
 * @example
 * resolveThreadId({ configurable: { thread_id: "t1" } }); // "t1"
 */
export function resolveThreadId(config: LangGraphRunnableConfig): string {
  const threadId = (config.configurable as Record<string, unknown> | undefined)?.thread_id;
  if (typeof threadId !== "string" || threadId === "") {
    throw new PersonaInputError(MISSING_THREAD_ID);
  }
  const problem = checkThreadId(threadId);
  if (problem) throw new PersonaInputError(`persona graph: invalid thread_id: ${problem}`);
  return threadId;
}

/** The store the graph was compiled with (or the LangGraph server injected). */
export function requireStore(config: LangGraphRunnableConfig): BaseStore {
  if (!config.store) {
    throw new Error("persona graph: no store. Compile it with one: builder.compile({ checkpointer, store }).");
  }
  return config.store;
}

/** The checkpointer of the running graph, when LangGraph passes it to nodes (used for retention). */
export function runCheckpointer(config: LangGraphRunnableConfig): BaseCheckpointSaver | undefined {
  const checkpointer = (config.configurable as Record<string, unknown> | undefined)?.__pregel_checkpointer;
  return checkpointer && typeof checkpointer === "object" ? (checkpointer as BaseCheckpointSaver) : undefined;
}
