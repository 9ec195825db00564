import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { servedGraphOptions } from "../../graphs/settings.js";

const ROOT = join(__dirname, "..", "..");
const config = JSON.parse(readFileSync(join(ROOT, "langgraph.json"), "utf8")) as { graphs: Record<string, string> };
const specs = Object.entries(config.graphs);

type ServedGraph = {
  invoke: (input: unknown, config: unknown) => Promise<unknown>;
  builder?: { nodes: Record<string, unknown> };
  checkpointer?: unknown;
  store?: unknown;
};

async function loadGraph(spec: string): Promise<ServedGraph> {
  const [file, exportName] = spec.split(":");
  const module = (await import(join(ROOT, file))) as Record<string, ServedGraph>;
  return module[exportName ?? "default"];
}

const MODEL_ENV = ["OPENAI_API_KEY", "OPENAI_BASE_URL", "PERSONA_MODEL"];
const savedEnv = Object.fromEntries(MODEL_ENV.map((name) => [name, process.env[name]]));
beforeAll(() => MODEL_ENV.forEach((name) => delete process.env[name]));
afterAll(() => {
  for (const [name, value] of Object.entries(savedEnv)) if (value !== undefined) process.env[name] = value;
});

describe("langgraph.json", () => {
  test("declares the chatbot, the standalone learner and the PersonaBench generator", () => {
    expect(Object.keys(config.graphs).sort()).toEqual(["persona_chatbot", "persona_learner", "personabench_generator"]);
  });

  test.each(specs)("%s: %s exists and exports a compiled graph, importable without a model key", async (_id, spec) => {
    const [file, exportName] = spec.split(":");
    expect(exportName).toBeTruthy();
    expect(existsSync(join(ROOT, file))).toBe(true);
    const graph = await loadGraph(spec);
    expect(typeof graph?.invoke).toBe("function");
    expect(graph.builder).toBeDefined();
    // The server injects its own persistence: the entry points must not bring any.
    expect(graph.checkpointer).toBeFalsy();
    expect(graph.store).toBeFalsy();
  });

  test("the chatbot has the persona graph's nodes; the learner only the update node", async () => {
    const chatbot = await loadGraph(config.graphs.persona_chatbot);
    const learner = await loadGraph(config.graphs.persona_learner);
    expect(Object.keys(chatbot.builder!.nodes).sort()).toEqual(["persona_update", "personalized_chatbot", "session_manager", "session_recorder", "tools"]);
    expect(Object.keys(learner.builder!.nodes)).toEqual(["persona_update"]);
  });

  test("the generator's nodes are the pipeline's five stages, in order", async () => {
    const generator = await loadGraph(config.graphs.personabench_generator);
    expect(Object.keys(generator.builder!.nodes)).toEqual(["seed", "persona_synthesis", "scene_generation", "query_generation", "filter_refine"]);
  });

  test("without a model endpoint a generator run fails with the message that says what to set", async () => {
    const graph = await loadGraph(config.graphs.personabench_generator);
    await expect(graph.invoke({ request: { population: "retirees in Spain", personas: 1, scenes: 1 } }, {})).rejects.toThrow(
      /no model endpoint: set OPENAI_API_KEY/,
    );
  });

  test("without a model endpoint a run fails with the message that says what to set", async () => {
    const graph = await loadGraph(config.graphs.persona_chatbot);
    // What the API server does with every graph it serves.
    const served = Object.assign(Object.create(Object.getPrototypeOf(graph)), graph, {
      checkpointer: new MemorySaver(),
      store: new InMemoryStore(),
    }) as ServedGraph;
    await expect(
      served.invoke({ messages: [new HumanMessage("hi")] }, { configurable: { thread_id: "t1" }, context: { userId: "u1" } }),
    ).rejects.toThrow(/no model endpoint: set OPENAI_API_KEY/);
  });
});

describe("servedGraphOptions", () => {
  test("reads PERSONA_UPDATE_EVERY and PERSONA_LEARNING", () => {
    const options = servedGraphOptions({ PERSONA_UPDATE_EVERY: "5", PERSONA_LEARNING: "background" });
    expect(options.updateEvery).toBe(5);
    expect(options.learning).toBe("background");
    expect(servedGraphOptions({}).updateEvery).toBeUndefined();
  });

  test.each([["0"], ["2.5"], ["three"]])("rejects PERSONA_UPDATE_EVERY=%s with a message naming the variable", (value) => {
    expect(() => servedGraphOptions({ PERSONA_UPDATE_EVERY: value })).toThrow(/PERSONA_UPDATE_EVERY must be a positive integer/);
  });

  test("rejects an unknown PERSONA_LEARNING", () => {
    expect(() => servedGraphOptions({ PERSONA_LEARNING: "sometimes" })).toThrow(/PERSONA_LEARNING must be "inline" or "background"/);
  });

  test("turns human review on and off with PERSONA_REVIEW", () => {
    expect(servedGraphOptions({ PERSONA_REVIEW: "on" }).review).toBe(true);
    expect(servedGraphOptions({ PERSONA_REVIEW: "off" }).review).toBe(false);
    expect(servedGraphOptions({}).review).toBeUndefined();
    expect(() => servedGraphOptions({ PERSONA_REVIEW: "yes" })).toThrow(/PERSONA_REVIEW must be "on" or "off"/);
  });
});
