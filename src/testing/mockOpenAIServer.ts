import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { text } from "node:stream/consumers";

/**
 * The parts of a chat completions request the mock looks at.
 * @example
 * const handler: MockHandler = (request: MockChatRequest) => ({ content: `you sent ${request.messages.length} messages` });
 */
export interface MockChatRequest {
  model: string;
  messages: Array<{ role: string; content: unknown; tool_calls?: unknown; tool_call_id?: string }>;
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
  tool_choice?: unknown;
  stream?: boolean;
  [key: string]: unknown;
}

/**
 * A tool call the mock server sends back: the tool's name and its arguments.
 * @example
 * const call: MockToolCall = { name: "update_persona", arguments: { changes: [] } };
 */
export interface MockToolCall {
  name: string;
  /** An object is sent as JSON; a string is sent as is (to test malformed arguments). */
  arguments: Record<string, unknown> | string;
}

/**
 * What a {@link MockHandler} answers: text, tool calls, or an HTTP error status.
 * @example
 * const reply: MockReply = { toolCalls: [{ name: "update_persona", arguments: { changes: [] } }] };
 */
export interface MockReply {
  content?: string;
  toolCalls?: MockToolCall[];
  /** Answer with this HTTP error status instead. */
  status?: number;
}

/**
 * Answers one chat completions request of the mock server (sync or async).
 * @example
 * const handler: MockHandler = (request) => (request.tools?.length ? { status: 500 } : { content: "hello" });
 */
export type MockHandler = (request: MockChatRequest) => MockReply | Promise<MockReply>;

/**
 * A running mock server: its base URL, the requests it received, and `close()` to stop it.
 * @example
 * const server: MockOpenAIServer = await startMockOpenAIServer(() => ({ content: "hi" }));
 * try {
 *   // OPENAI_BASE_URL=server.url
 * } finally {
 *   await server.close();
 * }
 */
export interface MockOpenAIServer {
  /** Base URL to use as OPENAI_BASE_URL, e.g. http://127.0.0.1:43123/v1 */
  url: string;
  /** Every chat completions request received, in order. */
  requests: MockChatRequest[];
  close(): Promise<void>;
}

/**
 * Text of a message content in either string or parts form.
 * @param content - a message content: a string or a list of parts
 * @returns the text, parts joined ("" for anything else)
 * @example
 * contentText([{ type: "text", text: "a" }, { type: "text", text: "b" }]); // "ab"
 */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (part && typeof part === "object" && "text" in part ? String(part.text) : "")).join("");
  }
  return "";
}

function usageFor(request: MockChatRequest, reply: MockReply) {
  const prompt = JSON.stringify(request.messages).length;
  const completion = (reply.content ?? "").length + JSON.stringify(reply.toolCalls ?? []).length;
  // Rough: four characters a token.
  const promptTokens = Math.ceil(prompt / 4);
  const completionTokens = Math.ceil(completion / 4);
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

function toolCallsPayload(reply: MockReply, id: string) {
  return (reply.toolCalls ?? []).map((call, index) => ({
    index,
    id: `call_${id}_${index}`,
    type: "function",
    function: {
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
    },
  }));
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

function sendStream(response: ServerResponse, request: MockChatRequest, reply: MockReply, id: string): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const base = { id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: request.model };
  const send = (delta: unknown, finish: string | null = null, extra: Record<string, unknown> = {}) =>
    response.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
  send({ role: "assistant", content: "" });
  // Word-sized pieces so clients see real token-by-token streaming.
  for (const piece of (reply.content ?? "").match(/\S+\s*|\s+/g) ?? []) send({ content: piece });
  for (const call of toolCallsPayload(reply, id)) {
    const args = call.function.arguments;
    const half = Math.ceil(args.length / 2);
    send({ tool_calls: [{ index: call.index, id: call.id, type: "function", function: { name: call.function.name, arguments: args.slice(0, half) } }] });
    send({ tool_calls: [{ index: call.index, function: { arguments: args.slice(half) } }] });
  }
  send({}, reply.toolCalls?.length ? "tool_calls" : "stop");
  const options = request.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage) {
    response.write(`data: ${JSON.stringify({ ...base, choices: [], usage: usageFor(request, reply) })}\n\n`);
  }
  response.write("data: [DONE]\n\n");
  response.end();
}

/**
 * Starts an OpenAI-compatible chat completions server on 127.0.0.1 (a free
 * port) whose replies come from `handler`. Supports JSON and streamed (SSE)
 * responses, tool calls and usage, so tests exercise the real HTTP client path.
 * @param handler - answers each request
 * @param port - the port to listen on (default 0: a free port)
 * @returns the running server
 * @example
 * const server = await startMockOpenAIServer((request) => ({ content: contentText(request.messages.at(-1)?.content) }));
 * const model = createChatModelFromEnv({ env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "x" } });
 */
export async function startMockOpenAIServer(handler: MockHandler, port = 0): Promise<MockOpenAIServer> {
  const requests: MockChatRequest[] = [];
  let counter = 0;
  const server: Server = createServer(async (req, res) => {
    try {
      if (req.method === "GET" && req.url?.endsWith("/models")) {
        sendJson(res, 200, { object: "list", data: [{ id: "mock-model", object: "model" }] });
        return;
      }
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
        return;
      }
      const request = JSON.parse(await text(req)) as MockChatRequest;
      requests.push(request);
      const reply = await handler(request);
      if (reply.status && reply.status >= 400) {
        sendJson(res, reply.status, { error: { message: `mock error ${reply.status}`, type: "mock_error" } });
        return;
      }
      const id = `chatcmpl-mock-${++counter}`;
      if (request.stream) {
        sendStream(res, request, reply, id);
        return;
      }
      const toolCalls = toolCallsPayload(reply, id).map(({ index: _index, ...call }) => call);
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: request.model,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: reply.content ?? null,
              ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            },
            finish_reason: toolCalls.length ? "tool_calls" : "stop",
          },
        ],
        usage: usageFor(request, reply),
      });
    } catch (error) {
      sendJson(res, 500, { error: { message: (error as Error).message } });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
