import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  createPersonaBenchGenerator,
  readCapabilityFile,
  readCategoryFile,
  readSeedFile,
  withCapabilities,
  type GeneratorStateType,
} from "../../src/generate.js";
import { loadWritten } from "./helpers/fixtures.js";
import { scriptedGenerator } from "./helpers/scriptedGenerator.js";

// The paper's seed files, read from ../shared beside the repository (never shipped). PERSONABENCH_SEED_DIR overrides the place.
const SEED_DIR = process.env.PERSONABENCH_SEED_DIR ?? join(__dirname, "..", "..", "..", "shared", "personabench", "seed");
const present = existsSync(join(SEED_DIR, "personas.json"));
if (!present) {
  // eslint-disable-next-line no-console
  console.log(`skipping the paper's seed-file tests: ${SEED_DIR} not present`);
}
const describeSeeds = present ? describe : describe.skip;

describeSeeds("the paper's seed files (../shared/personabench/seed)", () => {
  test("read as seeds, 63 categories and their capabilities", () => {
    expect(readSeedFile(join(SEED_DIR, "personas.json"))).toHaveLength(7);
    expect(readSeedFile(join(SEED_DIR, "artificial_personas_processed.json"))).toHaveLength(71);
    const categories = readCategoryFile(join(SEED_DIR, "scene_settings.json"));
    expect(categories).toHaveLength(63);
    const capabilities = readCapabilityFile(join(SEED_DIR, "scene_api_dict.json"));
    expect(capabilities.size).toBe(55);
    // Every capability entry belongs to a listed category.
    const names = new Set(categories.map((category) => category.name));
    expect([...capabilities.keys()].filter((name) => !names.has(name))).toEqual([]);
    const joined = withCapabilities(categories, capabilities);
    expect(joined.filter((category) => category.capabilities.length > 0)).toHaveLength(55);
    expect(joined.flatMap((category) => category.capabilities).every((capability) => capability === capability.trim() && capability.length > 0)).toBe(true);
  });

  test("feed the pipeline: Chinese scene types from the list, files the bench loader reads with 0 problems", async () => {
    const seeds = readSeedFile(join(SEED_DIR, "personas.json")).slice(0, 2);
    const categories = withCapabilities(readCategoryFile(join(SEED_DIR, "scene_settings.json")), readCapabilityFile(join(SEED_DIR, "scene_api_dict.json")));
    const graph = createPersonaBenchGenerator({ generator: scriptedGenerator() }).compile();
    const state = (await graph.invoke({ request: { scenes: 10, language: "zh" }, seeds, categories })) as GeneratorStateType;
    const files = state.jobs.flatMap((job) => (job.file ? [job.file] : []));
    expect(files).toHaveLength(2);
    const names = new Set(categories.map((category) => category.name));
    for (const file of files) {
      expect(file.scenes).toHaveLength(10);
      expect(file.scenes.map((scene) => scene.available_apis === null)).toEqual([true, true, true, false, false, false, false, false, false, false]);
      const common = file.scenes.slice(0, 7).map((scene) => scene.scene_type.split("：")[0]);
      expect(common.every((category) => names.has(category))).toBe(true);
    }
    expect(loadWritten(files).problems).toEqual([]);
  });
});
