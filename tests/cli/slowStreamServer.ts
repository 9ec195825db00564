import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { text } from "node:stream/consumers";
import { contentText, type MockChatRequest } from "../../src/testing/mockOpenAIServer.js";

/** How the server answers one chatbot request. */
export interface SlowReply {
  /** Streamed one word at a time. */
  words?: string[];
  /** Milliseconds between words. */
  everyMs?: number;
  /** Milliseconds before the first word. */
  delayMs?: number;
  /** Answer with this HTTP status instead. */
  status?: number;
}

export interface SlowStreamServer {
  url: string;
  requests: MockChatRequest[];
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible server that streams word by word with a pause between
 * words, so a test can press Ctrl-C while a reply is on its way. `reply`
 * decides per request from the last user message.
 */
export async function startSlowStreamServer(reply: (lastUserText: string, request: MockChatRequest) => SlowReply): Promise<SlowStreamServer> {
  const requests: MockChatRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const request = JSON.parse(await text(req)) as MockChatRequest;
    requests.push(request);
    const last = [...request.messages].reverse().find((message) => message.role === "user");
    const answer = reply(contentText(last?.content), request);
    if (answer.status) {
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `test server error ${answer.status}`, type: "server_error" } }));
      return;
    }
    const words = answer.words ?? [];
    // Unref: a pending delay must not keep a finished test run alive.
    await new Promise((resolve) => setTimeout(resolve, answer.delayMs ?? 0).unref());
    if (!request.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "chatcmpl-slow",
          object: "chat.completion",
          created: 0,
          model: request.model,
          choices: [{ index: 0, message: { role: "assistant", content: words.join(" ") }, finish_reason: "stop" }],
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (delta: unknown, finish: string | null = null) =>
      res.write(`data: ${JSON.stringify({ id: "chatcmpl-slow", object: "chat.completion.chunk", created: 0, model: request.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    send({ role: "assistant", content: "" });
    let closed = false;
    res.on("close", () => (closed = true));
    for (const [index, word] of words.entries()) {
      if (closed) return;
      send({ content: index === 0 ? word : ` ${word}` });
      await new Promise((resolve) => setTimeout(resolve, answer.everyMs ?? 0));
    }
    if (closed) return;
    send({}, "stop");
    res.write("data: [DONE]\n\n");
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
