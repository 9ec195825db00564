import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { keepCancelledReply, PARTIAL_REPLY_KEY } from "../../src/graph/cancelledReply.js";
import { createPersonaGraph } from "../../src/graph/createPersonaGraph.js";
import { PERSONALIZED_CHATBOT } from "../../src/graph/routes.js";
import { PersonaMemory } from "../../src/memory/personaMemory.js";
import { messageText } from "../../src/render/messageText.js";

/** Streams "w1 w2 … w8 " one word every 40 ms; remembers what each call was sent. */
class SlowStreamingModel extends BaseChatModel {
  calls: BaseMessage[][] = [];
  _llmType() {
    return "slow-streaming";
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.calls.push(messages);
    return { generations: [{ text: "whole reply", message: new AIMessage("whole reply") }] };
  }
  async *_streamResponseChunks(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun) {
    this.calls.push(messages);
    for (let i = 1; i <= 8; i++) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      options.signal?.throwIfAborted();
      const text = `w${i} `;
      const chunk = new ChatGenerationChunk({ text, message: new AIMessageChunk(text) });
      yield chunk;
      await runManager?.handleLLMNewToken(text, undefined, undefined, undefined, undefined, { chunk });
    }
  }
}

function setup() {
  const model = new SlowStreamingModel({});
  const store = new InMemoryStore();
  const graph = createPersonaGraph({ model, updateEvery: 5 }).compile({ checkpointer: new MemorySaver(), store });
  const config = { configurable: { thread_id: "t1" }, context: { userId: "ann" } };
  const memory = new PersonaMemory(store, "ann");
  /** Streams one message and aborts once `words` words were shown; returns what was shown. */
  const cancelAfter = async (text: string, words: number) => {
    const controller = new AbortController();
    let shown = "";
    await expect(
      (async () => {
        const stream = await graph.stream({ messages: [new HumanMessage(text)] }, { ...config, streamMode: "messages", signal: controller.signal });
        for await (const [chunk, metadata] of stream) {
          if ((metadata as { langgraph_node?: string }).langgraph_node !== PERSONALIZED_CHATBOT) continue;
          shown += messageText(chunk as BaseMessage);
          if (shown.split(" ").filter(Boolean).length >= words) controller.abort();
        }
      })(),
    ).rejects.toThrow(/abort/i);
    return shown;
  };
  return { model, graph, config, memory, cancelAfter };
}

describe("keepCancelledReply", () => {
  it("records the user's message and the part of the reply shown, marked partial, and the next turn sees it", async () => {
    const { model, graph, config, memory, cancelAfter } = setup();
    const shown = await cancelAfter("tell me a story", 3);
    expect(shown).toBe("w1 w2 w3 ");
    expect(await keepCancelledReply(graph, config, shown)).toBe(true);

    const [session] = await memory.sessions();
    expect(session).toMatchObject({ status: "open", turns: 1 });
    const turns = await memory.turns(session!.sessionId);
    expect(turns).toHaveLength(1);
    expect(turns[0]).toMatchObject({
      partial: true,
      messages: [
        { role: "user", text: "tell me a story" },
        { role: "assistant", text: "w1 w2 w3" },
      ],
    });
    const state = await graph.getState(config);
    expect(state.next).toEqual([]);
    const last = state.values.messages.at(-1) as BaseMessage;
    expect(messageText(last)).toBe(shown);
    expect((last.response_metadata as Record<string, unknown>)[PARTIAL_REPLY_KEY]).toBe(true);

    await graph.invoke({ messages: [new HumanMessage("go on")] }, config);
    const sent = model.calls.at(-1)!.map((message) => messageText(message));
    expect(sent.slice(1)).toEqual(["tell me a story", "w1 w2 w3 ", "go on"]);
    const second = await memory.turns(session!.sessionId);
    expect(second).toHaveLength(2);
    expect(second[1]!.partial).toBeUndefined();
  });

  it("records nothing when no reply text was shown, and the next turn does not see the cancelled message", async () => {
    const { model, graph, config, memory, cancelAfter } = setup();
    await cancelAfter("first question", 1);
    expect(await keepCancelledReply(graph, config, "")).toBe(false);
    expect(await memory.sessions()).toEqual([]);

    await graph.invoke({ messages: [new HumanMessage("second question")] }, config);
    const sent = model.calls.at(-1)!.map((message) => messageText(message));
    expect(sent.slice(1)).toEqual(["second question"]);
    const [session] = await memory.sessions();
    expect((await memory.turns(session!.sessionId)).map((turn) => turn.messages.map((m) => m.text))).toEqual([
      ["second question", "whole reply"],
    ]);
  });

  it("does nothing when the run did not stop in the chatbot", async () => {
    const { graph, config, memory } = setup();
    await graph.invoke({ messages: [new HumanMessage("hi")] }, config);
    const turnsBefore = (await memory.turns((await memory.sessions())[0]!.sessionId)).length;
    expect(await keepCancelledReply(graph, config, "some text")).toBe(false);
    expect((await memory.turns((await memory.sessions())[0]!.sessionId)).length).toBe(turnsBefore);
  });
});
