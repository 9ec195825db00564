import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { outputLanguage } from "../../src/generate/language.js";
import {
  resolveGenerateModels,
  planScenes,
  readCapabilityFile,
  readCategoryFile,
  readSeedFile,
  SeedFileError,
  withCapabilities,
  DiversityIndex,
  pairwiseSimilarities,
  summarizeSimilarities,
  textSimilarity,
  callStructured,
  StructuredOutputError,
  type CallLedger,
} from "../../src/generate.js";
import { personaFileName } from "../../src/generate/personaFile.js";
import { routeAfterFilter } from "../../src/generate/routes.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import { promptOf, toolCall } from "./helpers/scriptedGenerator.js";

const FIXTURES = join(__dirname, "fixtures");

describe("lexical similarity", () => {
  test("is 1 for the same text, 0 for texts sharing no trigram, in between for variants; works without spaces", () => {
    expect(textSimilarity("retired teacher who paints", "Retired teacher, who paints!")).toBeCloseTo(1, 5);
    expect(textSimilarity("abcdef", "uvwxyz")).toBe(0);
    const near = textSimilarity("likes hiking in the Alps every summer", "likes hiking in the Andes every summer");
    expect(near).toBeGreaterThan(0.6);
    expect(near).toBeLessThan(1);
    expect(textSimilarity("喜欢在废弃物品中寻找创作灵感", "喜欢在废弃物品中寻找灵感")).toBeGreaterThan(0.6);
    expect(textSimilarity("", "anything")).toBe(0);
  });

  test("the index finds the nearest text, skips an excluded id and forgets removed ones", () => {
    const index = new DiversityIndex();
    expect(index.nearest("x")).toBeUndefined();
    index.add("1", "Ana", "night nurse who bakes bread");
    index.add("2", "Luis", "taxi driver who plays chess");
    expect(index.nearest("night nurse who bakes cakes")).toMatchObject({ id: "1", label: "Ana", text: "night nurse who bakes bread" });
    expect(index.nearest("night nurse who bakes cakes", "1")?.id).toBe("2");
    index.remove("1");
    expect(index.labels()).toEqual(["Luis"]);
  });

  test("summaries give quantiles and a ten-bin histogram", () => {
    expect(summarizeSimilarities([])).toBeUndefined();
    const summary = summarizeSimilarities([0.05, 0.15, 0.25, 1])!;
    expect(summary).toMatchObject({ count: 4, min: 0.05, max: 1, median: 0.2 });
    expect(summary.histogram).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 1]);
    expect(pairwiseSimilarities(["a b c", "a b c", "x y z"])).toEqual([1, 0, 0]);
  });
});

describe("scene plan", () => {
  test("defaults follow the release: 3 of 10 scenes without APIs first, person-specific scenes last", () => {
    const plan = planScenes({ scenes: 10 });
    expect(plan.map((slot) => slot.tools)).toEqual([false, false, false, true, true, true, true, true, true, true]);
    expect(plan.map((slot) => slot.source)).toEqual([...new Array(7).fill("common"), ...new Array(3).fill("specific")]);
    expect(planScenes({ scenes: 1 })).toEqual([{ position: 1, tools: false, source: "common" }]);
    expect(planScenes({ scenes: 4, noApiScenes: 0, specificScenes: 0 }).every((slot) => slot.tools && slot.source === "common")).toBe(true);
  });

  test("rejects counts that do not fit, saying what fits", () => {
    expect(() => planScenes({ scenes: 0 })).toThrow(/scenes must be a positive integer/);
    expect(() => planScenes({ scenes: 4, specificScenes: 4 })).toThrow(/specificScenes must be from 0 to 3/);
    expect(() => planScenes({ scenes: 4, specificScenes: 2, noApiScenes: 3 })).toThrow(/noApiScenes must be from 0 to 2/);
  });
});

test("output languages: names for prompts, the full-width colon for Chinese and Japanese, clear errors", () => {
  expect(outputLanguage("zh")).toEqual({ code: "zh", name: "Chinese", separator: "：" });
  expect(outputLanguage("es").name).toBe("Spanish");
  expect(outputLanguage("pt-BR").separator).toBe(": ");
  expect(() => outputLanguage("klingon")).toThrow(/unknown language code "klingon"/);
  expect(() => outputLanguage("qq")).toThrow(/unknown language code/);
});

test("persona file names: unsafe characters removed, collisions numbered", () => {
  const taken = new Set<string>();
  expect(personaFileName("丽丽", taken)).toBe("丽丽.json");
  expect(personaFileName("丽丽", taken)).toBe("丽丽-2.json");
  expect(personaFileName("../etc/passwd", taken)).toBe("etc passwd.json");
  expect(personaFileName("", taken)).toBe("persona.json");
});

describe("seed files", () => {
  test("reads seeds (Name at the top or in Demographics, lower-case MBTI, numeric strings), categories and capabilities", () => {
    const seeds = readSeedFile(join(FIXTURES, "seeds.json"));
    expect(seeds.map((seed) => seed.Name)).toEqual(["Marta", "Tomasz", "Aiko"]);
    expect(seeds[1].Personality.Extraversion_or_Introversion).toBe("I");
    expect(seeds[2].Demographics).toMatchObject({ Age: 29, Language: ["Japanese"] });
    const categories = withCapabilities(readCategoryFile(join(FIXTURES, "categories.json")), readCapabilityFile(join(FIXTURES, "capabilities.jsonl")));
    expect(categories).toHaveLength(8);
    expect(categories.find((c) => c.name === "Appointment scheduling")?.capabilities).toEqual(["manage calendar events", "send messages"]);
    expect(categories.find((c) => c.name === "Budget tracking")?.capabilities).toEqual(["read bank statements", "set reminders"]);
    expect(categories.find((c) => c.name === "Gift ideas")?.capabilities).toEqual([]);
  });

  test("bad files fail with the file, the seed and the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "generate-seeds-"));
    try {
      const write = (name: string, text: string) => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      };
      expect(() => readSeedFile(write("a.json", "{not json"))).toThrow(/seed file .*a\.json is not valid JSON/);
      expect(() => readSeedFile(write("b.json", "[]"))).toThrow(/holds no seeds/);
      const bad = [{ Name: "Eve", Demographics: { Age: 30, Gender: "f", Nationality: "x", Language: ["y"], Career_Information: "z" }, Personality: { Extraversion_or_Introversion: "Q" } }];
      expect(() => readSeedFile(write("c.json", JSON.stringify(bad)))).toThrow(/seed 1 \(Eve\): Personality\.Extraversion_or_Introversion/);
      expect(() => readSeedFile(join(dir, "missing.json"))).toThrow(SeedFileError);
      expect(() => readCategoryFile(write("d.json", "{}"))).toThrow(/holds no categories/);
      expect(() => readCapabilityFile(write("e.jsonl", '{"a": ["b"]}\n{oops'))).toThrow(/line 2 is not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("model roles", () => {
  test("flags, then GENERATE_<ROLE>_*, then (checker) the generator, then OPENAI_*; the checker runs at temperature 0", () => {
    const env = { OPENAI_BASE_URL: "http://default/v1", PERSONA_MODEL: "base", GENERATE_CHECKER_MODEL: "judge-ish" };
    const settings = resolveGenerateModels({ generator: { model: "writer" } }, env);
    expect(settings.generator).toEqual({ model: "writer", baseURL: "http://default/v1", apiKey: "not-needed" });
    expect(settings.checker).toEqual({ model: "judge-ish", baseURL: "http://default/v1", apiKey: "not-needed", temperature: 0 });
    const split = resolveGenerateModels({ checker: { baseURL: "http://checker/v1" } }, { GENERATE_GENERATOR_BASE_URL: "http://gen/v1", GENERATE_GENERATOR_TEMPERATURE: "0.9" });
    expect(split.generator).toMatchObject({ baseURL: "http://gen/v1", temperature: 0.9, model: "gpt-4o-mini" });
    expect(split.checker.baseURL).toBe("http://checker/v1");
  });

  test("a role without an endpoint, or a bad temperature, fails saying what to set", () => {
    expect(() => resolveGenerateModels({}, {})).toThrow(/no endpoint for the generator model: set GENERATE_GENERATOR_BASE_URL or OPENAI_BASE_URL/);
    expect(() => resolveGenerateModels({}, { OPENAI_BASE_URL: "http://x/v1", GENERATE_CHECKER_TEMPERATURE: "hot" })).toThrow(
      /GENERATE_CHECKER_TEMPERATURE must be a number from 0 to 2/,
    );
  });
});

describe("structured calls", () => {
  const schema = z.object({ answer: z.string().min(1), score: z.number().int() });
  const request = (check?: (value: z.infer<typeof schema>) => string | undefined) => ({
    role: "generator" as const,
    stage: "query_generation",
    tool: "submit_answer",
    description: "Submit the answer.",
    schema,
    check,
    messages: [new HumanMessage("Answer, please.")],
  });
  const ledger = (): CallLedger => ({ cost: {}, stats: {} });

  test("forces the tool, validates with zod, and retries an invalid reply with the error", async () => {
    const model = new ScriptedChatModel({ replies: [toolCall("submit_answer", { answer: "", score: 2.5 }), toolCall("submit_answer", { answer: "yes", score: 3 })] });
    const spent = ledger();
    await expect(callStructured(model, request(), spent)).resolves.toEqual({ answer: "yes", score: 3 });
    expect(model.calls.map((call) => [call.tools, call.toolChoice])).toEqual([
      [["submit_answer"], "submit_answer"],
      [["submit_answer"], "submit_answer"],
    ]);
    const retry = promptOf(model.calls[1].messages);
    expect(retry).toMatch(/Your previous answer was rejected: answer: .*score/);
    expect(retry).toContain("Call the tool submit_answer again");
    expect(spent.stats).toEqual({ "query_generation.invalid_replies": 1 });
    expect(spent.cost["generator/query_generation"]).toEqual({ calls: 2, promptTokens: 0, completionTokens: 0, callsWithoutUsage: 2 });
  });

  test("reads JSON answered as text, rejects other tools and unparsable arguments, and applies the extra check", async () => {
    const text = new ScriptedChatModel({ replies: ['```json\n{"answer": "ok", "score": 1}\n```'] });
    await expect(callStructured(text, request(), ledger())).resolves.toEqual({ answer: "ok", score: 1 });

    const wrongThenBad = new ScriptedChatModel({
      replies: [
        toolCall("other_tool", { answer: "x", score: 1 }),
        new AIMessage({ content: "", invalid_tool_calls: [{ name: "submit_answer", args: "{oops", id: "c1", error: "Malformed", type: "invalid_tool_call" }] }),
        toolCall("submit_answer", { answer: "no", score: 1 }),
      ],
    });
    const spent = ledger();
    const error = await callStructured(wrongThenBad, request((value) => (value.answer === "no" ? 'answer must not be "no"' : undefined)), spent).catch((e) => e);
    expect(error).toBeInstanceOf(StructuredOutputError);
    expect(error.message).toBe('no valid submit_answer call after 3 attempts: answer must not be "no"');
    expect(promptOf(wrongThenBad.calls[1].messages)).toContain('called "other_tool" instead of submit_answer');
    expect(promptOf(wrongThenBad.calls[2].messages)).toContain("are not valid JSON");
    expect(spent.stats["query_generation.invalid_replies"]).toBe(3);
  });

  test("model errors are thrown as they are, not retried as invalid output", async () => {
    const failing = new ScriptedChatModel({ replies: [() => { throw new Error("connection refused"); }] });
    await expect(callStructured(failing, request(), ledger())).rejects.toThrow("connection refused");
  });
});

test("the router loops back to scene generation while a persona is still active", () => {
  const job = (status: "active" | "done") => ({ status }) as never;
  expect(routeAfterFilter({ jobs: [job("done"), job("active")] })).toBe("scene_generation");
  expect(routeAfterFilter({ jobs: [job("done")] })).toBe("__end__");
});
