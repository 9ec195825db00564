import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { createPersonaGraph } from "../../src/graph/createPersonaGraph.js";
import { PersonaMemory } from "../../src/memory/personaMemory.js";

/** Answers the chat at once; as learner (tools bound) waits 2 s, honouring the abort signal, or fails. */
class SlowLearner extends BaseChatModel {
  learnerCalls = 0;
  constructor(private readonly learnerFails = false) {
    super({});
  }
  _llmType() {
    return "slow-learner";
  }
  bindTools(tools: unknown[]) {
    return this.withConfig({ tools } as Record<string, unknown>) as unknown as this;
  }
  async _generate(_messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const learner = ((options as { tools?: unknown[] }).tools ?? []).length > 0;
    if (!learner) return { generations: [{ text: "ok", message: new AIMessage("ok") }] };
    this.learnerCalls++;
    if (this.learnerFails) throw new Error("learner endpoint down");
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 2000);
      options.signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(options.signal!.reason);
      });
    });
    return { generations: [{ text: "", message: new AIMessage("no tool call") }] };
  }
}

async function chatAndEnd(model: SlowLearner, signal?: AbortSignal) {
  const store = new InMemoryStore();
  const graph = createPersonaGraph({ model, updateEvery: 1 }).compile({ checkpointer: new MemorySaver(), store });
  const config = { configurable: { thread_id: "t1" }, context: { userId: "lee" } };
  await graph.invoke({ messages: [new HumanMessage("my name is Lee")] }, config);
  const ending = graph.invoke({ endSession: true }, { ...config, signal });
  return { memory: new PersonaMemory(store, "lee"), ending };
}

describe("a learning run its caller cancels", () => {
  it("leaves no learning record and no version; the session stays pending", async () => {
    const model = new SlowLearner();
    const controller = new AbortController();
    const { memory, ending } = await chatAndEnd(model, controller.signal);
    for (let i = 0; i < 100 && model.learnerCalls === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(model.learnerCalls).toBe(1);
    controller.abort();
    await expect(ending).rejects.toThrow(/abort/i);
    // The run rejects at once; the node itself goes on in the background until its model call returns.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await memory.learningLog()).toEqual([]);
    expect((await memory.load()).version).toBe(0);
    expect((await memory.pendingSessions()).map((session) => session.status)).toEqual(["ended"]);
  });

  it("is unlike a learner that fails, which is recorded as an error", async () => {
    const { memory, ending } = await chatAndEnd(new SlowLearner(true));
    await ending;
    expect((await memory.learningLog()).map((record) => [record.outcome, record.error])).toEqual([["error", "learner endpoint down"]]);
  });
});
