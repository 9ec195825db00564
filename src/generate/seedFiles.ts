import { readFileSync } from "node:fs";
import { seedSchema, type SceneCategory, type Seed } from "./records.js";

/**
 * A seed file that cannot be used, with where and how to fix it.
 * @example
 * try { readSeedFile("seeds.json"); } catch (error) { if (error instanceof SeedFileError) console.error(error.message); }
 */
export class SeedFileError extends Error {
  /**
   * @param message - the file, where in it, and how to fix it
   */
  constructor(message: string) {
    super(message);
    this.name = "SeedFileError";
  }
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new SeedFileError(`${what} ${path} cannot be read (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SeedFileError(`${what} ${path} is not valid JSON (${(error as Error).message})`);
  }
}

const MBTI_KEYS = ["Extraversion_or_Introversion", "Sensing_or_Intuition", "Thinking_or_Feeling", "Judging_or_Perceiving"];

/** Name may sit at the top or in Demographics; MBTI letters may be lower case. */
function normalizeSeed(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const seed = { ...(raw as Record<string, unknown>) };
  const demographics = seed.Demographics && typeof seed.Demographics === "object" ? { ...(seed.Demographics as Record<string, unknown>) } : seed.Demographics;
  if (demographics && typeof demographics === "object") {
    const d = demographics as Record<string, unknown>;
    if (seed.Name === undefined && typeof d.Name === "string") seed.Name = d.Name;
    delete d.Name;
    if (typeof d.Age === "string" && /^\d+$/.test(d.Age.trim())) d.Age = Number(d.Age);
    if (typeof d.Language === "string") d.Language = [d.Language];
    seed.Demographics = d;
  }
  if (seed.Personality && typeof seed.Personality === "object") {
    const p = { ...(seed.Personality as Record<string, unknown>) };
    for (const key of MBTI_KEYS) if (typeof p[key] === "string") p[key] = (p[key] as string).trim().toUpperCase();
    seed.Personality = p;
  }
  return seed;
}

/**
 * Reads a seed persona file: a JSON array of {Name, Demographics, Personality}
 * (the layout of the paper's `personas.json`). Every seed is validated; the
 * first bad ones are named with the field and the fix.
 *
 * @param path - The file.
 * @returns The seeds, in file order.
 * @throws SeedFileError naming the file, the seed and the field when something is wrong.
 * @example
 * const seeds = readSeedFile("seed/personas.json");
 */
export function readSeedFile(path: string): Seed[] {
  const json = readJson(path, "seed file");
  const list = Array.isArray(json) ? json : json && typeof json === "object" ? Object.values(json as Record<string, unknown>) : undefined;
  if (!list || list.length === 0) {
    throw new SeedFileError(`seed file ${path} holds no seeds: it must be a JSON array of {"Name", "Demographics", "Personality"} objects`);
  }
  const seeds: Seed[] = [];
  const problems: string[] = [];
  list.forEach((raw, index) => {
    const parsed = seedSchema.safeParse(normalizeSeed(raw));
    if (parsed.success) seeds.push(parsed.data);
    else {
      const name = (raw as { Name?: unknown })?.Name;
      const issue = parsed.error.issues[0];
      problems.push(`seed ${index + 1}${typeof name === "string" ? ` (${name})` : ""}: ${issue.path.map(String).join(".")}: ${issue.message}`);
    }
  });
  if (problems.length) {
    throw new SeedFileError(`seed file ${path}: ${problems.length} seeds are not usable; fix them or remove them: ${problems.slice(0, 3).join("; ")}`);
  }
  return seeds;
}

/** "旅行须知：..." → "旅行须知"; "Travel: ..." → "Travel". */
function categoryName(key: string): string {
  const match = /^(.*?)[：:]/.exec(key);
  return (match ? match[1] : key).trim();
}

/**
 * Reads a scene category file: a JSON object category → description (the
 * paper's `scene_settings.json`), or an array of {name, description}.
 *
 * @param path - The file.
 * @returns Categories in file order, without capabilities (see `readCapabilityFile`).
 * @throws SeedFileError when the file holds no categories.
 * @example
 * const categories = readCategoryFile("seed/scene_settings.json");
 */
export function readCategoryFile(path: string): SceneCategory[] {
  const json = readJson(path, "category file");
  const categories: SceneCategory[] = [];
  if (Array.isArray(json)) {
    for (const item of json) {
      const entry = item as { name?: unknown; description?: unknown };
      if (typeof entry?.name === "string" && entry.name.trim()) {
        categories.push({ name: entry.name.trim(), description: typeof entry.description === "string" ? entry.description : "", capabilities: [] });
      }
    }
  } else if (json && typeof json === "object") {
    for (const [name, description] of Object.entries(json as Record<string, unknown>)) {
      if (name.trim()) categories.push({ name: categoryName(name), description: typeof description === "string" ? description : "", capabilities: [] });
    }
  }
  if (categories.length === 0) {
    throw new SeedFileError(`category file ${path} holds no categories: it must be a JSON object {"category": "what the assistant does"}`);
  }
  return categories;
}

/**
 * Reads a capability file: JSON lines of {"category：description": [capabilities]}
 * (the paper's `scene_api_dict.json`), or one JSON object of that form.
 *
 * @param path - The file.
 * @returns Category name → the capabilities the assistant may need in it.
 * @throws SeedFileError naming the line that is not JSON.
 * @example
 * readCapabilityFile("seed/scene_api_dict.json").get("会议安排"); // ["管理日历事件", ...]
 */
export function readCapabilityFile(path: string): Map<string, string[]> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new SeedFileError(`capability file ${path} cannot be read (${(error as Error).message})`);
  }
  const objects: unknown[] = [];
  try {
    objects.push(JSON.parse(text));
  } catch {
    text.split("\n").forEach((line, index) => {
      if (!line.trim()) return;
      try {
        objects.push(JSON.parse(line));
      } catch (error) {
        throw new SeedFileError(`capability file ${path}: line ${index + 1} is not JSON (${(error as Error).message})`);
      }
    });
  }
  const capabilities = new Map<string, string[]>();
  for (const object of objects) {
    if (!object || typeof object !== "object" || Array.isArray(object)) continue;
    for (const [key, value] of Object.entries(object as Record<string, unknown>)) {
      if (!Array.isArray(value)) continue;
      const list = value.filter((item): item is string => typeof item === "string").map((item) => item.trim()).filter(Boolean);
      capabilities.set(categoryName(key), [...new Set(list)]);
    }
  }
  return capabilities;
}

/**
 * Attaches capabilities to categories by name.
 *
 * @param categories - From `readCategoryFile`.
 * @param capabilities - From `readCapabilityFile`.
 * @returns The categories with their capabilities (empty when the file has none for one).
 * @example
 * withCapabilities(readCategoryFile(a), readCapabilityFile(b));
 */
export function withCapabilities(categories: SceneCategory[], capabilities: Map<string, string[]>): SceneCategory[] {
  return categories.map((category) => ({ ...category, capabilities: capabilities.get(category.name) ?? category.capabilities }));
}
