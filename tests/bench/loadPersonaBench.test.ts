import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isPythonPickle, loadPersonaBench } from "../../src/bench.js";
import { stripQueryTags, sceneCategory } from "../../src/bench/data/loadPersonaBench.js";

const FIXTURE = join(__dirname, "../../fixtures/personabench-mini");
const SAMPLE = join(__dirname, "../../../shared/personabench/raw");

describe("loadPersonaBench on the shipped fixture", () => {
  const loaded = loadPersonaBench(FIXTURE);

  test("loads both personas, sorted by file name, with all scenes", () => {
    expect(loaded.personas.map((p) => p.id)).toEqual(["maya-chen", "陈静"]);
    expect(loaded.personas.map((p) => p.scenes.length)).toEqual([7, 4]);
    expect(loaded.problems.filter((p) => p.severity === "error")).toEqual([]);
  });

  test("normalizes the release quirks and reports each one", () => {
    const [maya, chen] = loaded.personas;
    expect(maya.golden).toMatchObject({ Preference: { Preferred_Formats: "Short bullet lists with numbers and units" } });
    expect((maya.golden.Pattern as Record<string, unknown>).Emotion_Pattern).toBeUndefined();
    expect((chen.golden.Pattern as Record<string, unknown>).Purchase_Pattern).toBeUndefined();
    expect((chen.golden.Personality as Record<string, unknown>).Extraversion_or_Introversion).toBe("E");
    const problems = loaded.problems.map((p) => `${p.file}|${p.path}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        "maya-chen.json|Preference.Preferred_Format",
        "maya-chen.json|Pattern.Emotion_Pattern",
        "陈静.json|Pattern.Emotion_Pattern",
        "陈静.json|Pattern.Purchase_Pattern",
        "陈静.json|陈静",
        "陈静.json|scenes.3.available_apis.查询门票",
      ]),
    );
  });

  test("scenes: tags stripped, category, language, APIs as valid tool names", () => {
    const chen = loaded.personas[1];
    expect(chen.scenes[0].neutralizedQuery).toBe("“人闲桂花落”出自哪首诗？创作背景是什么？");
    expect(chen.scenes[0].language).toBe("zh");
    expect(chen.scenes[0].category).toBe("文化学习");
    expect(loaded.personas[0].scenes[0].language).toBe("en");
    const apis = chen.scenes[3].apis;
    expect(apis.map((a) => a.name)).toEqual(["getWeather", "查询门票"]);
    for (const api of apis) expect(api.toolName).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(chen.scenes[0].apis).toEqual([]);
  });
});

describe("loadPersonaBench reports bad files with their name and field path", () => {
  const dir = mkdtempSync(join(tmpdir(), "pb-bad-"));
  const good = JSON.parse(readFileSync(join(FIXTURE, "maya-chen.json"), "utf8"));
  writeFileSync(join(dir, "ok.json"), JSON.stringify(good));
  writeFileSync(join(dir, "broken.json"), "{ not json");
  const noScenes = { ...good, scenes: [] };
  writeFileSync(join(dir, "no-scenes.json"), JSON.stringify(noScenes));
  const badApi = structuredClone(good);
  badApi.scenes[3].available_apis.getMarineForecast.arguments = "location";
  writeFileSync(join(dir, "bad-api.json"), JSON.stringify(badApi));
  const missingDesc = structuredClone(good);
  delete missingDesc.scenes[1].scene_desc;
  writeFileSync(join(dir, "missing-desc.json"), JSON.stringify(missingDesc));
  // The release's 丽丽.json is a Python pickle (protocol 4 starts with 0x80 0x04).
  writeFileSync(join(dir, "丽丽.json"), Buffer.from([0x80, 0x04, 0x95, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7d, 0x94]));
  const badAge = structuredClone(good);
  badAge.Demographics.Age = "very old";
  writeFileSync(join(dir, "bad-age.json"), JSON.stringify(badAge));
  const loaded = loadPersonaBench(dir);
  const errors = loaded.problems.filter((p) => p.severity === "error");

  test("unusable files are errors naming file and path; the others still load", () => {
    expect(loaded.personas.map((p) => p.id).sort()).toEqual(["bad-age", "ok"]);
    expect(errors.map((e) => `${e.file}|${e.path}`).sort()).toEqual([
      "bad-api.json|scenes.3.available_apis.getMarineForecast.arguments",
      "broken.json|",
      "missing-desc.json|scenes.1.scene_desc",
      "no-scenes.json|scenes",
      "丽丽.json|",
    ]);
    expect(errors.find((e) => e.file === "broken.json")!.message).toMatch(/not valid JSON/);
  });

  test("a pickled persona file is named as such, with the command that converts it to JSON", () => {
    const pickle = loaded.problems.find((p) => p.file === "丽丽.json")!;
    expect(pickle.message).toMatch(/^a Python pickle, not JSON \(the release ships one such file, 丽丽\.json: its persona store's pickled dictionary\); convert it: python3 -c 'import json, pickle, sys; .*' 丽丽\.json 丽丽\.converted\.json \(only unpickle files you trust\)/);
    expect(isPythonPickle(Buffer.from("{\"a\": 1}"))).toBe(false);
  });

  test("a value that does not fit the persona schema is a warning with its path, not a silent drop", () => {
    const warning = loaded.problems.find((p) => p.file === "bad-age.json" && p.path === "Demographics.Age");
    expect(warning).toMatchObject({ severity: "warning" });
    expect(loaded.personas.find((p) => p.id === "bad-age")!.golden.Demographics).not.toHaveProperty("Age");
  });

  test("a missing folder fails with a message saying what to pass", () => {
    expect(() => loadPersonaBench(join(dir, "nope"))).toThrow(/cannot be read.*pass a folder/);
  });
});

test("helpers", () => {
  expect(stripQueryTags("<neutralized_query>\n  hi\n</neutralized_query>")).toBe("hi");
  expect(sceneCategory("Travel: plans")).toBe("Travel");
  expect(sceneCategory("旅行须知：说明")).toBe("旅行须知");
});

const describeSample = existsSync(SAMPLE) ? describe : describe.skip;
if (!existsSync(SAMPLE)) {
  // eslint-disable-next-line no-console
  console.log(`skipping PersonaBench sample tests: ${SAMPLE} not present`);
}

describeSample("loadPersonaBench on the PersonaBench sample (../shared/personabench)", () => {
  test("loads every sample file without errors", () => {
    const loaded = loadPersonaBench(SAMPLE);
    const files = readdirSync(SAMPLE).filter((f) => f.endsWith(".json"));
    expect(files.length).toBe(38);
    expect(loaded.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(loaded.personas).toHaveLength(38);
    for (const persona of loaded.personas) {
      expect(persona.scenes.length).toBeGreaterThanOrEqual(9);
      expect(persona.scenes.slice(0, 3).every((s) => s.apis.length === 0)).toBe(true);
      for (const scene of persona.scenes) {
        expect(scene.neutralizedQuery).not.toMatch(/neutralized_query/);
        expect(scene.language).toBe("zh");
        for (const api of scene.apis) expect(api.toolName).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      }
      expect(Object.keys(persona.golden).sort()).toEqual(["Demographics", "Pattern", "Personality", "Preference"]);
    }
    // Every normalization is reported: no warning is about an unknown field or a value that did not fit.
    const unexpected = loaded.problems.filter((p) => !/read as unknown|repeats the persona/.test(p.message));
    expect(unexpected).toEqual([]);
    for (const copy of loaded.problems.filter((p) => /repeats the persona/.test(p.message))) {
      expect(copy.message).toMatch(/identical; ignored/);
    }
  });
});
