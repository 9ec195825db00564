import { Client } from "@langchain/langgraph-sdk";
import { startMockOpenAIServer, type MockOpenAIServer } from "../../src/testing/index.js";
import { mockGenerateHandler } from "../../src/generate.js";
import { MISSING_USER_ID } from "../../src/graph/context.js";
import { ruleBasedHandler } from "../helpers/ruleBasedModelServer.js";
import { freePort, startDevServer, type DevServerProcess } from "./devServerProcess.js";

// Smoke test of the graphs as LangGraph Studio runs them: `npm run dev`'s
// server, the graphs from langgraph.json, the server's own checkpointer and
// store, a mock OpenAI-compatible model, and the LangGraph SDK client.
const STARTUP_TIMEOUT_MS = 90_000;
jest.setTimeout(STARTUP_TIMEOUT_MS + 90_000);

type Values = {
  messages: Array<{ type: string; content: unknown }>;
  persona: Record<string, unknown> | null;
  personaVersion: number;
  lastLearning: { outcome: string; version: number; applied: number } | null;
};

let model: MockOpenAIServer;
let server: DevServerProcess | undefined;
let client: Client;
const started = Date.now();

beforeAll(async () => {
  // The generator's forced tool calls ("submit_...") get the generation mock; everything else the rule-based chatbot and learner.
  model = await startMockOpenAIServer((request) =>
    request.tools?.[0]?.function.name.startsWith("submit_") ? mockGenerateHandler(request) : ruleBasedHandler(request),
  );
  server = await startDevServer(
    await freePort(),
    {
      OPENAI_BASE_URL: model.url,
      OPENAI_API_KEY: "test-key",
      PERSONA_MODEL: "mock-model",
      PERSONA_UPDATE_EVERY: "2",
      PERSONA_LEARNING: "inline",
      LANGGRAPH_CLI_NO_ANALYTICS: "1",
      LANGSMITH_TRACING: "false",
    },
    STARTUP_TIMEOUT_MS,
  );
  client = new Client({ apiUrl: server.url });
});

afterAll(async () => {
  await server?.stop();
  await model?.close();
  console.log(`studio smoke test (dev server start, runs, shutdown): ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

function lastReply(values: Values): string {
  const last = values.messages.at(-1);
  expect(last?.type).toBe("ai");
  return String(last?.content);
}

async function say(userId: string, threadId: string, text: string): Promise<Values> {
  return (await client.runs.wait(threadId, "persona_chatbot", {
    input: { messages: [{ role: "user", content: text }] },
    context: { userId },
  })) as Values;
}

async function endSession(userId: string, threadId: string): Promise<Values> {
  return (await client.runs.wait(threadId, "persona_chatbot", { input: { endSession: true }, context: { userId } })) as Values;
}

describe("graphs served by the LangGraph dev server", () => {
  test("lists the graphs, draws the chatbot and exposes state and context schemas Studio can render", async () => {
    const assistants = await client.assistants.search({ limit: 10 });
    expect(assistants.map((assistant) => assistant.graph_id).sort()).toEqual(["persona_chatbot", "persona_learner", "personabench_generator"]);
    const chatbot = assistants.find((assistant) => assistant.graph_id === "persona_chatbot")!;
    const schemas = await client.assistants.getSchemas(chatbot.assistant_id);
    const state = schemas.state_schema as { properties: Record<string, Record<string, unknown>> };
    expect(state.properties.messages.langgraph_type).toBe("messages");
    expect(Object.keys(state.properties)).toEqual(expect.arrayContaining(["persona", "personaVersion", "lastLearning"]));
    const context = schemas.context_schema as { properties: Record<string, unknown> };
    expect(Object.keys(context.properties)).toEqual(["userId"]);
    const drawing = await client.assistants.getGraph(chatbot.assistant_id);
    expect(drawing.nodes.map((node) => node.id)).toEqual(
      expect.arrayContaining(["session_manager", "personalized_chatbot", "tools", "persona_update"]),
    );
  });

  test("learns a user's persona from ended sessions; a new thread sees it, another user does not", async () => {
    const first = await client.threads.create();
    expect(lastReply(await say("alice", first.thread_id, "Hi, my name is Alice."))).toMatch(/^Hello! /);
    expect((await endSession("alice", first.thread_id)).lastLearning).toBeNull();

    // A second ended session reaches PERSONA_UPDATE_EVERY=2: learning runs in this run.
    const second = await client.threads.create();
    await say("alice", second.thread_id, "I work as a pharmacist.");
    const ended = await endSession("alice", second.thread_id);
    expect(ended.lastLearning).toMatchObject({ outcome: "applied", version: 1, applied: 2 });
    expect(ended.persona).toMatchObject({ Demographics: { Name: "Alice", Career_Information: "pharmacist" } });

    const third = await client.threads.create();
    const fresh = await say("alice", third.thread_id, "Good morning");
    expect(lastReply(fresh)).toMatch(/^Hello Alice! /);
    expect(fresh.personaVersion).toBe(1);

    const other = await client.threads.create();
    const stranger = await say("bob", other.thread_id, "Good morning");
    expect(lastReply(stranger)).toMatch(/^Hello! /);
    expect(stranger.personaVersion).toBe(0);
  });

  test("the standalone learner graph learns a user's pending sessions", async () => {
    const thread = await client.threads.create();
    await say("carol", thread.thread_id, "Hello, my name is Carol.");
    expect((await endSession("carol", thread.thread_id)).lastLearning).toBeNull(); // 1 of 2: not due

    const learned = (await client.runs.wait(null, "persona_learner", { input: {}, context: { userId: "carol" } })) as Values;
    expect(learned.lastLearning).toMatchObject({ outcome: "applied", version: 1 });

    const next = await client.threads.create();
    expect(lastReply(await say("carol", next.thread_id, "Hi again"))).toMatch(/^Hello Carol! /);
  });

  test("the PersonaBench generator draws its five stages and generates a persona from a population description", async () => {
    const assistants = await client.assistants.search({ graphId: "personabench_generator", limit: 1 });
    const generator = assistants[0];
    const drawing = await client.assistants.getGraph(generator.assistant_id);
    expect(drawing.nodes.map((node) => node.id)).toEqual(
      expect.arrayContaining(["seed", "persona_synthesis", "scene_generation", "query_generation", "filter_refine"]),
    );
    const schemas = await client.assistants.getSchemas(generator.assistant_id);
    const input = schemas.input_schema as { properties: Record<string, unknown> };
    expect(Object.keys(input.properties)).toEqual(expect.arrayContaining(["request", "seeds", "categories"]));

    const result = (await client.runs.wait(null, "personabench_generator", {
      input: { request: { population: "retirees in Spain", personas: 1, scenes: 3, language: "es" } },
    })) as { jobs: Array<{ status: string; file: { Demographics: { Name: string }; scenes: Array<{ available_apis: unknown }> } | null }>; failures: unknown[] };
    expect(result.failures).toEqual([]);
    expect(result.jobs).toHaveLength(1);
    expect(result.jobs[0].status).toBe("done");
    expect(result.jobs[0].file?.scenes.map((scene) => scene.available_apis !== null)).toEqual([false, true, true]);
  });

  test("a run without a user id fails with a message Studio shows as written", async () => {
    const thread = await client.threads.create();
    // What Studio does: stream the run and show the error event.
    const events: Array<{ event: string; data: unknown }> = [];
    for await (const chunk of client.runs.stream(thread.thread_id, "persona_chatbot", {
      input: { messages: [{ role: "user", content: "hi" }] },
    })) {
      events.push(chunk);
    }
    const error = events.find((chunk) => chunk.event === "error")?.data as { error: string; message: string } | undefined;
    expect(error).toEqual({ error: "PersonaInputError", message: MISSING_USER_ID });
    // The failed task in the thread's state (Studio's node panel): the server JSON-encodes the error
    // object once; the message must still appear verbatim in that text, with no escaped quotes.
    const state = await client.threads.getState(thread.thread_id);
    const taskError = state.tasks.find((task) => task.error)?.error as string | undefined;
    expect(taskError).toContain(MISSING_USER_ID);
    expect(taskError).not.toMatch(/\\/);
    expect(JSON.parse(taskError!)).toEqual({ message: MISSING_USER_ID, name: "PersonaInputError" });
    // The SDK's runs.wait throws with the server's (doubly encoded) error text; the message still reads as written.
    const waited = await client.runs
      .wait(null, "persona_chatbot", { input: { messages: [{ role: "user", content: "hi" }] } })
      .then(() => "no error", (failure: Error) => failure.message);
    expect(waited).toContain(MISSING_USER_ID);
    expect(waited).not.toMatch(/\\/);
    expect(server!.output()).toMatch(/missing userId\. Pass it/);
  });
});
