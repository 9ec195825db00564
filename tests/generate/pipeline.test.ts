import {
  GENERATION_STAGES,
  releasePersonaFileSchema,
  createPersonaBenchGenerator,
  type GeneratorStateType,
} from "../../src/generate.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import { fixtureCategories, fixtureSeeds, loadWritten } from "./helpers/fixtures.js";
import { promptOf, scriptedGenerator, toolCall, type Override } from "./helpers/scriptedGenerator.js";
import { mockGeneratorArguments } from "../../src/generate/mockGenerateHandler.js";

async function generate(override?: Override, request: Record<string, unknown> = {}, extra: Partial<GeneratorStateType> = {}, checkerOverride?: Override) {
  const generator = scriptedGenerator(override);
  const checker = checkerOverride ? scriptedGenerator(checkerOverride) : undefined;
  const graph = createPersonaBenchGenerator({ generator, ...(checker ? { checker } : {}) }).compile();
  const state = (await graph.invoke({
    request: { scenes: 5, ...request },
    seeds: fixtureSeeds(),
    categories: fixtureCategories(),
    ...extra,
  })) as GeneratorStateType;
  return { state, generator, checker };
}

const files = (state: GeneratorStateType) => state.jobs.flatMap((job) => (job.file ? [job.file] : []));

describe("the personabench_generator graph on scripted models", () => {
  test("has the five stages as nodes, in order, with the filter looping back to scene generation", () => {
    const builder = createPersonaBenchGenerator({ generator: scriptedGenerator() });
    expect(Object.keys(builder.nodes)).toEqual([...GENERATION_STAGES]);
    const drawing = builder.compile().getGraph();
    const edges = drawing.edges.map((edge) => `${edge.source}->${edge.target}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        "__start__->seed",
        "seed->persona_synthesis",
        "persona_synthesis->scene_generation",
        "scene_generation->query_generation",
        "query_generation->filter_refine",
        "filter_refine->scene_generation",
        "filter_refine->__end__",
      ]),
    );
  });

  test("turns seeds into release-layout persona files that the bench loader reads with 0 problems", async () => {
    const { state } = await generate(undefined, { concurrency: 2 });
    expect(state.jobs.map((job) => job.status)).toEqual(["done", "done", "done"]);
    const written = files(state);
    for (const file of written) {
      expect(releasePersonaFileSchema.safeParse(file).success).toBe(true);
      expect(file.scenes).toHaveLength(5);
      // Release order: scenes without APIs first (2 of 5 by default), then scenes with APIs.
      expect(file.scenes.map((scene) => scene.available_apis !== null)).toEqual([false, false, true, true, true]);
      expect(file.scenes.every((scene) => /^<neutralized_query>\n[^\n]+\n<\/neutralized_query>$/.test(scene.neutralized_query))).toBe(true);
      expect(Object.keys(file)).toEqual(["Demographics", "Personality", "Pattern", "Preference", "scenes"]);
    }
    expect(written.map((file) => file.Demographics.Name)).toEqual(["Marta", "Tomasz", "Aiko"]);
    // The seed's facts are kept.
    expect(written[2].Demographics).toMatchObject({ Age: 29, Career_Information: "freelance illustrator for indie games in Osaka" });
    const loaded = loadWritten(written);
    expect(loaded.problems).toEqual([]);
    expect(loaded.personas).toHaveLength(3);
    expect(loaded.personas[0].scenes[0].neutralizedQuery).not.toContain("<neutralized_query>");
    // Every model call asked for a tool; every stage counted its work.
    expect(state.stats).toMatchObject({ "seed.from_input": 3, "persona_synthesis.accepted": 3, "filter_refine.personas_done": 3 });
    expect(Object.keys(state.cost).sort()).toEqual([
      "checker/filter_refine",
      "generator/filter_refine",
      "generator/persona_synthesis",
      "generator/query_generation",
      "generator/scene_generation",
    ]);
    expect(state.failures).toEqual([]);
  });

  test("the filter drops an unanswerable scene with its stage and reason, and a refill round fills the position", async () => {
    const { state } = await generate();
    const unanswerable = state.drops.filter((drop) => drop.reason === "unanswerable");
    expect(unanswerable).toHaveLength(3);
    expect(unanswerable[0]).toMatchObject({ stage: "filter_refine", scene: 2, detail: "no assistant can arrange time travel or teleporting" });
    expect(unanswerable[0].sceneType).toMatch(/^Time travel booking: /);
    for (const file of files(state)) {
      expect(file.scenes).toHaveLength(5);
      expect(file.scenes.some((scene) => scene.scene_type.startsWith("Time travel"))).toBe(false);
      // The refill keeps the position's kind: scene 2 is still without APIs.
      expect(file.scenes[1].available_apis).toBeNull();
    }
    expect(state.stats["filter_refine.refill_requested"]).toBe(3);
  });

  test("a leaking neutralized query is repaired and accepted; a persona-blind expected response is repaired too", async () => {
    let blind = 0;
    const { state, generator } = await generate(undefined, {}, {}, (tool, prompt) => {
      if (tool !== "submit_scene_check") return undefined;
      const verdict = mockGeneratorArguments(tool, prompt) as { answerable: boolean };
      // The first check of the first two answerable scenes says the expected response ignores the persona.
      if (verdict.answerable && blind < 2 && !prompt.includes("It keeps to what")) {
        blind++;
        return { ...verdict, uses_persona: false, uses_persona_reason: "it would suit anyone" };
      }
      return verdict;
    });
    expect(blind).toBe(2);
    expect(state.stats["filter_refine.repaired.neutralized_query"]).toBeGreaterThan(0);
    expect(state.stats["filter_refine.repaired.expected_response"]).toBe(2);
    expect(state.stats["filter_refine.accepted_after_repair"]).toBeGreaterThanOrEqual(2);
    const repairedResponses = state.jobs.flatMap((job) => job.scenes).filter((scene) => scene.repairs.includes("expected_response"));
    expect(repairedResponses.every((scene) => scene.status === "accepted" && / It keeps to what \S+ prefers\.$/.test(scene.expectedResponse!))).toBe(true);
    const repairedQueries = state.jobs.flatMap((job) => job.scenes).filter((scene) => scene.repairs.includes("neutralized_query"));
    for (const scene of repairedQueries) expect(scene.neutralizedQuery).not.toMatch(/Marta|Tomasz|Aiko/);
    // The repair prompts went to the generator, with the checker's reason in them.
    const repairPrompts = generator.calls.filter((call) => call.tools[0] === "submit_repaired_response").map((call) => promptOf(call.messages));
    expect(repairPrompts).toHaveLength(2);
    expect(repairPrompts[0]).toContain("it would suit anyone");
    for (const file of files(state)) expect(file.scenes).toHaveLength(5);
  });

  test("a scene that still fails after its repairs is dropped with the reason, and the checker model is the only one asked to check", async () => {
    const { state, generator, checker } = await generate(undefined, { sceneRepairs: 1 }, {}, (tool, prompt) => {
      const verdict = mockGeneratorArguments(tool, prompt);
      return /Meal planning/.test(prompt) ? { ...verdict, uses_persona: false, uses_persona_reason: "generic" } : verdict;
    });
    const drops = state.drops.filter((drop) => drop.reason === "response-ignores-persona");
    expect(drops).toHaveLength(3);
    expect(drops[0]).toMatchObject({ stage: "filter_refine", scene: 1, detail: "generic (after 1 repairs)" });
    expect(generator.calls.some((call) => call.tools[0] === "submit_scene_check")).toBe(false);
    expect(checker!.calls.every((call) => call.tools[0] === "submit_scene_check")).toBe(true);
    expect(Object.keys(state.cost)).toContain("checker/filter_refine");
  });

  test("invalid structured output is retried with the error; output that stays invalid is counted, and the scene dropped", async () => {
    const { state, generator } = await generate((tool, prompt, _call, nth) => {
      // The first persona reply misses a field (retried, then fine).
      if (tool === "submit_persona" && nth === 1) {
        const persona = mockGeneratorArguments(tool, prompt) as { Preference: Record<string, unknown> };
        return { ...persona, Preference: { ...persona.Preference, Preferred_Formats: "none" } };
      }
      // Every reply for Marta's second scene is malformed.
      if (tool === "submit_scene" && prompt.includes("Marta needs help with time travel")) return toolCall("submit_scene", { scene_desc: 42 });
      return undefined;
    });
    expect(state.stats["persona_synthesis.invalid_replies"]).toBe(1);
    const retried = generator.calls.filter((call) => call.tools[0] === "submit_persona").map((call) => promptOf(call.messages));
    expect(retried[1]).toMatch(/rejected: Preference\.Preferred_Formats: must be a concrete value/);
    expect(state.stats["scene_generation.invalid_replies"]).toBe(3);
    expect(state.failures).toEqual([
      expect.objectContaining({ slot: 0, stage: "scene_generation", kind: "invalid-output", message: expect.stringMatching(/^no valid submit_scene call after 3 attempts: scene_desc: /) }),
    ]);
    expect(state.drops).toEqual(expect.arrayContaining([expect.objectContaining({ slot: 0, stage: "scene_generation", reason: "invalid-output", scene: 2 })]));
    // The position was refilled, so Marta still has all her scenes.
    expect(files(state)[0].scenes).toHaveLength(5);
  });

  test("a persona whose output stays invalid, or whose model fails, fails alone; the others finish", async () => {
    const { state } = await generate((tool, prompt) => {
      if (tool === "submit_persona" && prompt.includes('"Name": "Tomasz"')) return toolCall(tool, { Demographics: {} });
      if (tool === "submit_scene_plan" && prompt.includes('"Name": "Aiko"')) throw new Error("503 from the model server");
      return undefined;
    });
    expect(state.jobs.map((job) => job.status)).toEqual(["done", "failed", "failed"]);
    expect(state.jobs[1].outcome).toMatchObject({ stage: "persona_synthesis", reason: "invalid-output" });
    expect(state.jobs[2].outcome).toEqual({ stage: "scene_generation", reason: "model-error", detail: "503 from the model server" });
    expect(state.failures.map((failure) => [failure.slot, failure.stage, failure.kind])).toEqual([
      [1, "persona_synthesis", "invalid-output"],
      [2, "scene_generation", "model-error"],
    ]);
  });

  test("a near-duplicate persona is regenerated with its neighbour shown; without regenerations left it is dropped", async () => {
    const same = (tool: string, prompt: string) => {
      if (tool !== "submit_persona") return undefined;
      const persona = mockGeneratorArguments(tool, prompt) as Record<string, Record<string, unknown>>;
      const seed = JSON.parse(/<seed>\n([\s\S]*?)\n<\/seed>/.exec(prompt)![1]);
      // Everything but the name copied from one template: a near-duplicate of the first persona.
      const template = { Demographics: { Age: 40, Gender: "female", Nationality: "Spanish", Language: ["Spanish"], Career_Information: "nurse in Madrid" }, Personality: { Extraversion_or_Introversion: "E", Sensing_or_Intuition: "S", Thinking_or_Feeling: "F", Judging_or_Perceiving: "J", Values_and_Interests: ["family", "gardening", "cooking"] } };
      const differ = prompt.includes("<existing_persona>");
      return {
        ...persona,
        Demographics: { ...template.Demographics, Name: seed.Name, Age: seed.Demographics.Age },
        Personality: { ...template.Personality, ...Object.fromEntries(["Extraversion_or_Introversion", "Sensing_or_Intuition", "Thinking_or_Feeling", "Judging_or_Perceiving"].map((k) => [k, seed.Personality[k]])) },
        // Asked to differ: the seed's own values and the mock's own Pattern and Preference.
        ...(differ ? { Demographics: persona.Demographics, Personality: persona.Personality } : {}),
        Pattern: differ
          ? persona.Pattern
          : { Behavior_Engagement_Pattern: "asks short questions about shifts and recipes", Usage_Pattern: "every morning", Emotion_Pattern: "gets impatient with vague answers", Purchase_Pattern: "compares prices for a long time" },
        Preference: differ ? persona.Preference : { Preferred_Styles: "warm", Preferred_Formats: "bullet lists", Preferred_Workflows: "options first" },
      };
    };
    const { state, generator } = await generate(same, { maxPersonaSimilarity: 0.8 });
    expect(state.jobs.map((job) => job.status)).toEqual(["done", "done", "done"]);
    expect(state.similarities.filter((record) => !record.accepted).map((record) => [record.slot, record.attempt, record.nearest])).toEqual([
      [1, 1, "Marta"],
      [2, 1, "Marta"],
    ]);
    expect(state.similarities.filter((record) => !record.accepted).every((record) => record.similarity >= 0.8)).toBe(true);
    const retries = generator.calls.filter((call) => call.tools[0] === "submit_persona").map((call) => promptOf(call.messages)).filter((p) => p.includes("<existing_persona>"));
    expect(retries).toHaveLength(2);
    expect(retries[0]).toContain("asks short questions about shifts and recipes");
    expect(state.stats["persona_synthesis.near_duplicates"]).toBe(2);

    const strict = await generate(same, { maxPersonaSimilarity: 0.8, personaRegenerations: 0 });
    expect(strict.state.jobs.map((job) => job.status)).toEqual(["done", "dropped", "dropped"]);
    expect(strict.state.drops.filter((drop) => drop.stage === "persona_synthesis")).toEqual([
      expect.objectContaining({ slot: 1, persona: "Tomasz", reason: "near-duplicate-persona", detail: expect.stringMatching(/^similarity 0\.\d\d with Marta \(limit 0\.8\) after 1 attempts$/) }),
      expect.objectContaining({ slot: 2, persona: "Aiko", reason: "near-duplicate-persona" }),
    ]);
  });

  test("a scene nearly the same as one kept is dropped as a duplicate", async () => {
    const { state } = await generate((tool, prompt) => {
      // Both person-specific scenes of every persona get the same label and text.
      if (tool === "submit_scene_plan") {
        const plan = mockGeneratorArguments(tool, prompt) as { common: unknown[]; specific: Array<{ label: string; explanation: string }> };
        return { ...plan, specific: plan.specific.map((_, i) => ({ label: `Side project ${i + 1}`, explanation: "wants help with a side project." })) };
      }
      return undefined;
    }, { scenes: 6, specificScenes: 2, refillRounds: 0 });
    const duplicates = state.drops.filter((drop) => drop.reason === "duplicate-scene");
    expect(duplicates).toHaveLength(3);
    expect(duplicates[0]).toMatchObject({ stage: "filter_refine", scene: 6, detail: expect.stringMatching(/^similarity 0\.\d\d with scene 5 \(limit 0\.8\)$/) });
    // No refill rounds: the personas keep 4 of 6 scenes (the duplicate and the unanswerable time-travel scene are gone), and the run says so.
    expect(files(state).map((file) => file.scenes.length)).toEqual([4, 4, 4]);
    expect(state.stats).toMatchObject({ "filter_refine.short_personas": 3, "filter_refine.missing_scenes": 6 });
  });

  test("from a population: categories and seeds are generated, each new seed different from the people already made", async () => {
    const generator = scriptedGenerator();
    const graph = createPersonaBenchGenerator({ generator }).compile();
    const state = (await graph.invoke({
      request: { population: "retirees in Spain", personas: 3, scenes: 4, language: "es" },
      avoidSeeds: ["Person 1, 20, nurse; gardening"],
    })) as GeneratorStateType;
    expect(state.categories.length).toBeGreaterThanOrEqual(24);
    expect(state.jobs.map((job) => [job.slot, job.status, job.seed?.Name])).toEqual([
      [0, "done", "Person 2"],
      [1, "done", "Person 3"],
      [2, "done", "Person 4"],
    ]);
    const prompts = generator.calls.map((call) => [call.tools[0], promptOf(call.messages)] as const);
    const seedPrompt = prompts.find(([tool]) => tool === "submit_seeds")![1];
    expect(seedPrompt).toContain("retirees in Spain");
    expect(seedPrompt).toContain("Person 1, 20, nurse; gardening");
    expect(prompts.find(([tool]) => tool === "submit_categories")![1]).toContain("Write every text in Spanish");
    expect(loadWritten(files(state)).problems).toEqual([]);
  });

  test("a seed name already used is rejected and asked again", async () => {
    const generator = scriptedGenerator((tool, prompt, _call, nth) => {
      if (tool === "submit_seeds" && nth === 1) {
        const reply = mockGeneratorArguments(tool, prompt) as { seeds: Array<{ Name: string }> };
        return { seeds: reply.seeds.map((seed) => ({ ...seed, Name: "Ana" })) };
      }
      return undefined;
    });
    const state = (await createPersonaBenchGenerator({ generator }).compile().invoke({
      request: { population: "nurses", personas: 1, scenes: 1 },
      avoidSeeds: ["Ana, 50, nurse; choir"],
      categories: fixtureCategories(),
    })) as GeneratorStateType;
    expect(state.stats["seed.invalid_replies"]).toBe(1);
    expect(promptOf(generator.calls[1].messages)).toContain('the name "ana" is already used');
    expect(state.jobs[0].status).toBe("done");
  });

  test("aborting the run stops it: the abort reaches the model calls", async () => {
    const controller = new AbortController();
    let sceneCalls = 0;
    const generator = scriptedGenerator((tool) => {
      if (tool === "submit_scene" && ++sceneCalls === 1) controller.abort();
      return undefined;
    });
    const graph = createPersonaBenchGenerator({ generator }).compile();
    await expect(graph.invoke({ request: { scenes: 5 }, seeds: fixtureSeeds().slice(0, 1), categories: fixtureCategories() }, { signal: controller.signal })).rejects.toThrow(
      /abort/i,
    );
    expect(sceneCalls).toBe(1);
  });

  test("bad input fails with a message that says what to give", async () => {
    const graph = createPersonaBenchGenerator({ generator: new ScriptedChatModel({ replies: [] }) }).compile();
    await expect(graph.invoke({ request: { scenes: 3 } })).rejects.toThrow(/give "seeds" .* or "request.population"/);
    await expect(graph.invoke({ request: { population: "x", language: "zz-bad-code-" } })).rejects.toThrow(/unknown language code/);
    await expect(graph.invoke({ request: { population: "x", scenes: 0 } })).rejects.toThrow(/"request",\s*"scenes"[\s\S]*Too small/);
    await expect(graph.invoke({ request: { population: "x", scenes: 10 }, categories: fixtureCategories().slice(0, 3) })).rejects.toThrow(
      /3 scene categories for 7 common scenes per persona/,
    );
    expect(() => createPersonaBenchGenerator({} as never)).toThrow(/options.generator \(a chat model\) is required/);
  });
});
