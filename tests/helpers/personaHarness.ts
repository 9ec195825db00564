import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver, type BaseCheckpointSaver, type BaseStore } from "@langchain/langgraph";
import { createPersonaGraph, type PersonaGraphOptions, PersonaMemory, openPersistence } from "../../src/index.js";
import type { AIMessage } from "@langchain/core/messages";
import { ScriptedChatModel, type ScriptedCall } from "../../src/testing/index.js";
import { freshSchema, postgresAvailable } from "../store/postgresTestServer.js";
import { isLearnerCall } from "./learnerReplies.js";

/** Where a harness keeps checkpoints and persona memory. */
export interface Backend {
  name: string;
  checkpointer: BaseCheckpointSaver;
  store: BaseStore;
  /** A SQLite file, when the backend has one. */
  file?: string;
  close(): Promise<void>;
}

/** The backends every integrity test runs on: in memory, SQLite, and Postgres when it answers. */
export const BACKENDS: Array<[string, () => Promise<Backend>]> = [
  ["memory", async () => ({ name: "memory", checkpointer: new MemorySaver(), store: new InMemoryStore(), close: async () => {} })],
  [
    "sqlite",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "persona-harness-"));
      const file = join(dir, "persona.db");
      const persistence = await openPersistence(file);
      return {
        name: "sqlite",
        checkpointer: persistence.checkpointer,
        store: persistence.store,
        file,
        close: async () => {
          await persistence.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  ...(postgresAvailable
    ? ([
        [
          "postgres",
          async () => {
            const fresh = await freshSchema("harness");
            const persistence = await openPersistence(fresh.url);
            return {
              name: "postgres",
              checkpointer: persistence.checkpointer,
              store: persistence.store,
              close: async () => {
                await persistence.close();
                await fresh.drop();
              },
            };
          },
        ],
      ] as Array<[string, () => Promise<Backend>]>)
    : []),
];

/** Every item of the store, as sorted JSON lines (to compare before and after). */
export async function storeSnapshot(store: BaseStore): Promise<string[]> {
  const items = await store.search([], { limit: 100000 });
  return items.map((item) => JSON.stringify([item.namespace, item.key, item.value])).sort();
}

/** How many checkpoints a thread has. */
export async function checkpointCount(checkpointer: BaseCheckpointSaver, threadId: string): Promise<number> {
  let count = 0;
  for await (const _ of checkpointer.list({ configurable: { thread_id: threadId } })) count++;
  return count;
}

/**
 * A persona graph on a backend with a scripted model: chat replies echo the
 * prompt size, the learner reply is the caller's.
 */
export function personaHarness(
  backend: Backend,
  options: Partial<PersonaGraphOptions> & { learner?: (call: ScriptedCall) => AIMessage | string; chat?: (call: ScriptedCall) => AIMessage | string } = {},
) {
  const { learner, chat, ...graphOptions } = options;
  const model = new ScriptedChatModel({
    replies: [
      (call) =>
        isLearnerCall(call)
          ? (learner?.(call) ?? "no learner scripted")
          : (chat?.(call) ?? `reply to ${String(call.messages.at(-1)?.content).slice(0, 40)} (${call.messages.length} messages)`),
    ],
    repeatLast: true,
  });
  const graph = createPersonaGraph({ model, updateEvery: 1, ...graphOptions }).compile({
    checkpointer: backend.checkpointer,
    store: backend.store,
  });
  const run = (userId: string, threadId: string) => ({ configurable: { thread_id: threadId }, context: { userId } });
  return {
    model,
    graph,
    run,
    memory: (userId: string) => new PersonaMemory(backend.store, userId),
    say: (userId: string, threadId: string, text: string) => graph.invoke({ messages: [new HumanMessage(text)] }, run(userId, threadId)),
    end: (userId: string, threadId: string) => graph.invoke({ endSession: true }, run(userId, threadId)),
    chatCalls: () => model.calls.filter((call) => !isLearnerCall(call)),
  };
}
