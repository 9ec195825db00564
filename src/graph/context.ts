import { z } from "zod";
import type { BaseStore, LangGraphRunnableConfig } from "@langchain/langgraph";
import { assertValidUserId } from "../memory/namespaces.js";

/** Run context of the persona graphs: who the user is. */
export const PersonaContextSchema = z.object({
  // Optional here so a missing id reaches resolveUserId, whose error says how to pass it.
  userId: z.string().optional().describe("Id of the user whose persona this run reads and learns"),
});

export type PersonaContext = z.infer<typeof PersonaContextSchema>;

/** Reads the user id from `context.userId`, or `configurable.userId` / `configurable.user_id`. */
export function resolveUserId(config: LangGraphRunnableConfig): string {
  const context = (config.context ?? {}) as Record<string, unknown>;
  const configurable = (config.configurable ?? {}) as Record<string, unknown>;
  const userId = context.userId ?? configurable.userId ?? configurable.user_id;
  if (userId === undefined || userId === null) {
    throw new Error(
      'persona graph: missing "userId". Pass it in the run\'s context ({ context: { userId: "..." } }) or as configurable.userId.',
    );
  }
  try {
    assertValidUserId(userId);
  } catch (error) {
    throw new Error(`persona graph: invalid "userId": ${(error as Error).message}`);
  }
  return userId;
}

export function resolveThreadId(config: LangGraphRunnableConfig): string {
  const threadId = (config.configurable as Record<string, unknown> | undefined)?.thread_id;
  if (typeof threadId !== "string" || threadId === "") {
    throw new Error(
      'persona graph: missing "thread_id". Compile with a checkpointer and pass { configurable: { thread_id: "..." } }: each thread is a session.',
    );
  }
  return threadId;
}

export function requireStore(config: LangGraphRunnableConfig): BaseStore {
  if (!config.store) {
    throw new Error("persona graph: no store. Compile it with one: builder.compile({ checkpointer, store }).");
  }
  return config.store;
}
