// Worker for the overlap test: runs one turn of the persona graph (built package, dist/) for a
// user and thread, with a chat model that answers after a delay and a learner that reports what
// it was shown. Prints "ready", waits for a line on stdin, runs (printing "model" when the chat
// model is called), prints one JSON line.
// usage: node overlapWorker.mjs <db path or postgres url> <user> <thread> <text> <latency ms>
import { createInterface } from "node:readline";
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { createPersonaGraph, openPersistence } from "../../dist/index.js";
import { ScriptedChatModel } from "../../dist/testing/index.js";

const [location, userId, threadId, text, latency] = process.argv.slice(2);
const learnerPrompts = [];
const persistence = await openPersistence(location);
const chat = new ScriptedChatModel({ replies: [(call) => `reply to ${String(call.messages.at(-1).content)}`], repeatLast: true, latencyMs: Number(latency) });
const learner = new ScriptedChatModel({
  replies: [
    (call) => {
      learnerPrompts.push(call.messages.map((m) => String(m.content)).join("\n"));
      return new AIMessage({ content: "", tool_calls: [{ id: "c", name: "update_persona", type: "tool_call", args: { changes: [] } }] });
    },
  ],
  repeatLast: true,
});
const graph = createPersonaGraph({ model: chat, learnerModel: learner, updateEvery: 1 }).compile(persistence);
process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin });
for await (const _ of lines) break;
lines.close();
process.stdin.destroy();
try {
  const announce = { handleChatModelStart: () => process.stdout.write("model\n") };
  const result = await graph.invoke(
    { messages: [new HumanMessage(text)] },
    { configurable: { thread_id: threadId }, context: { userId }, callbacks: [announce] },
  );
  process.stdout.write(`${JSON.stringify({ reply: String(result.messages.at(-1).content), learnerPrompts })}\n`);
} finally {
  await persistence.close();
}
