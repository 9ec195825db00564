import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPersonaBench } from "../../../src/bench.js";
import {
  type ReleasePersonaFile,
  type SceneCategory,
  type Seed,
  readCapabilityFile,
  readCategoryFile,
  readSeedFile,
  withCapabilities,
} from "../../../src/generate.js";

export const FIXTURES = join(__dirname, "..", "fixtures");
export const SEED_FILE = join(FIXTURES, "seeds.json");
export const CATEGORY_FILE = join(FIXTURES, "categories.json");
export const CAPABILITY_FILE = join(FIXTURES, "capabilities.jsonl");

export function fixtureSeeds(): Seed[] {
  return readSeedFile(SEED_FILE);
}

export function fixtureCategories(): SceneCategory[] {
  return withCapabilities(readCategoryFile(CATEGORY_FILE), readCapabilityFile(CAPABILITY_FILE));
}

/** Writes persona files to a fresh folder and loads it with the bench loader. */
export function loadWritten(files: ReleasePersonaFile[]) {
  const dir = mkdtempSync(join(tmpdir(), "generated-"));
  try {
    files.forEach((file, i) => writeFileSync(join(dir, `${i}-${file.Demographics.Name}.json`), JSON.stringify(file, null, 2)));
    return loadPersonaBench(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
