import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { personaFromPersonaBench } from "./personaFromPersonaBench.js";
import { PERSONA_GROUPS, rawPersonaFileSchema, type RawPersonaFile, type RawScene } from "./rawSchema.js";
import type { BenchApi, BenchPersona, BenchScene, DataProblem, LoadedBench } from "./types.js";

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const CJK = /[\u3400-\u9fff]/;

/** Removes the `<neutralized_query>` wrapper and surrounding blank lines. */
export function stripQueryTags(query: string): string {
  return query
    .replace(/<\/?neutralized_query>/g, "")
    .trim();
}

/** "旅行须知：..." → "旅行须知"; "Travel: ..." → "Travel". */
export function sceneCategory(sceneType: string): string {
  const match = /^(.*?)[：:]/.exec(sceneType);
  return (match ? match[1] : sceneType).trim();
}

export function detectLanguage(...texts: string[]): "zh" | "en" {
  return texts.some((text) => CJK.test(text)) ? "zh" : "en";
}

function toolNameFor(name: string, taken: Set<string>): string {
  let candidate = TOOL_NAME.test(name) ? name : name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 60) || "api";
  if (!/[a-zA-Z0-9]/.test(candidate)) candidate = `api${candidate}`;
  let unique = candidate;
  for (let n = 2; taken.has(unique); n++) unique = `${candidate.slice(0, 60)}_${n}`;
  taken.add(unique);
  return unique;
}

function sceneFrom(raw: RawScene, index: number, file: string, problems: DataProblem[]): BenchScene {
  const apis: BenchApi[] = [];
  const taken = new Set<string>();
  for (const [name, api] of Object.entries(raw.available_apis ?? {})) {
    const toolName = toolNameFor(name, taken);
    if (toolName !== name) {
      problems.push({
        file,
        path: `scenes.${index - 1}.available_apis.${name}`,
        message: `API name is not a valid tool name; offered to the chatbot as "${toolName}"`,
        severity: "warning",
      });
    }
    apis.push({ name, toolName, arguments: [...new Set(api.arguments)], description: api.description });
  }
  const neutralizedQuery = stripQueryTags(raw.neutralized_query);
  if (!neutralizedQuery) {
    problems.push({ file, path: `scenes.${index - 1}.neutralized_query`, message: "empty after removing tags", severity: "error" });
  }
  return {
    index,
    type: raw.scene_type.trim(),
    category: sceneCategory(raw.scene_type),
    description: raw.scene_desc.trim(),
    context: raw.scene_context.trim(),
    expectedResponse: raw.expected_response.trim(),
    personalizedQuery: raw.personalized_query.trim(),
    neutralizedQuery,
    apis,
    language: detectLanguage(neutralizedQuery, raw.scene_desc),
  };
}

/** Reports keys outside the known layout; a copy of the persona under the person's name is noted, not an error. */
function checkExtraKeys(data: RawPersonaFile, name: string, file: string, problems: DataProblem[]): void {
  const known = new Set<string>([...PERSONA_GROUPS, "scenes"]);
  const top = data as Record<string, unknown>;
  for (const key of Object.keys(data)) {
    if (known.has(key)) continue;
    const value = top[key];
    if (key === name && value && typeof value === "object" && !Array.isArray(value)) {
      const copy = value as Record<string, unknown>;
      const differing = Object.keys(copy).filter((sub) => !known.has(sub) || !isDeepStrictEqual(copy[sub], top[sub]));
      problems.push({
        file,
        path: key,
        message: differing.length
          ? `repeats the persona under the person's name, but ${differing.join(", ")} differ from the top level; the top level is used`
          : `repeats the persona under the person's name (${Object.keys(copy).join(", ")}; identical; ignored)`,
        severity: "warning",
      });
    } else {
      problems.push({ file, path: key, message: "unknown key; not used", severity: "warning" });
    }
  }
}

const UNKNOWN_TEXT = new Set(["none", "null", "无", "未知", "unknown", "n/a", ""]);
const RENAMED: Record<string, Record<string, string>> = {
  Preference: { Preferred_Format: "Preferred_Formats", Preferred_Style: "Preferred_Styles" },
  Demographics: { Languages: "Language" },
};

/** Reports the normalizations the persona mapping applies, so none happens silently. */
function noteGoldenQuirks(goldenRaw: Record<string, unknown>, file: string, problems: DataProblem[]): void {
  for (const group of PERSONA_GROUPS) {
    const values = goldenRaw[group] as Record<string, unknown>;
    for (const [key, value] of Object.entries(values)) {
      const renamed = RENAMED[group]?.[key];
      if (renamed) {
        problems.push({ file, path: `${group}.${key}`, message: `read as ${group}.${renamed}`, severity: "warning" });
      }
      if (value === null || (typeof value === "string" && UNKNOWN_TEXT.has(value.trim().toLowerCase()))) {
        problems.push({ file, path: `${group}.${key}`, message: `${JSON.stringify(value)} read as unknown`, severity: "warning" });
      }
    }
  }
}

/**
 * A Python pickle starts with the PROTO opcode (0x80) and a protocol number.
 * The release's `data/generated_data/丽丽.json` is one: the dictionary the
 * release's persona store (PersonaManager) pickled when that file served as its
 * database, i.e. the persona file's content plus a copy of the persona under
 * the user id "丽丽".
 * @param bytes - the start of a data file
 * @returns true when the bytes start with a pickle protocol 2-5 header
 * @example
 * isPythonPickle(readFileSync("丽丽.json")); // true for a pickled release file
 */
export function isPythonPickle(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
}

/** How to turn a pickled persona file into JSON, for the error message. */
export function pickleConversionHint(file: string): string {
  const out = file.replace(/\.json$/i, "") + ".converted.json";
  return (
    `python3 -c 'import json, pickle, sys; json.dump(pickle.load(open(sys.argv[1], "rb")), open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=1)' ${file} ${out}` +
    ` (only unpickle files you trust), then replace ${file} with ${out}`
  );
}

/**
 * Parses one persona file into a persona, adding every problem found to
 * `problems`. `content` is the file's bytes or its text.
 */
export function parsePersonaFile(content: string | Uint8Array, file: string, problems: DataProblem[]): BenchPersona | undefined {
  if (typeof content !== "string" && isPythonPickle(content)) {
    problems.push({
      file,
      path: "",
      message: `a Python pickle, not JSON (the release ships one such file, 丽丽.json: its persona store's pickled dictionary); convert it: ${pickleConversionHint(file)}`,
      severity: "error",
    });
    return undefined;
  }
  const text = typeof content === "string" ? content : Buffer.from(content).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problems.push({ file, path: "", message: `not valid JSON: ${(error as Error).message}`, severity: "error" });
    return undefined;
  }
  const parsed = rawPersonaFileSchema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ file, path: issue.path.map(String).join("."), message: issue.message, severity: "error" });
    }
    return undefined;
  }
  const data = parsed.data;
  const before = problems.length;
  const goldenRaw = Object.fromEntries(PERSONA_GROUPS.map((group) => [group, data[group]]));
  noteGoldenQuirks(goldenRaw, file, problems);
  const mapped = personaFromPersonaBench(goldenRaw);
  for (const issue of mapped.issues) {
    problems.push({ file, path: issue.path, message: `${issue.message}; left out of the golden persona`, severity: "warning" });
  }
  for (const key of mapped.unknownKeys) {
    problems.push({ file, path: key, message: "field not in the persona schema; left out of the golden persona", severity: "warning" });
  }
  const id = basename(file).replace(/\.json$/i, "");
  const nameValue = (data.Demographics as Record<string, unknown>).Name;
  const name = typeof nameValue === "string" && nameValue.trim() ? nameValue.trim() : id;
  checkExtraKeys(data, name, file, problems);
  const scenes = data.scenes.map((scene, i) => sceneFrom(scene, i + 1, file, problems));
  if (problems.slice(before).some((problem) => problem.severity === "error")) return undefined;
  return { id, file, name, golden: mapped.persona, goldenRaw, scenes };
}

/**
 * Loads a PersonaBench data folder (one persona per `.json` file, release
 * layout). Files that cannot be used are reported as errors with their name
 * and the path of the bad field (a pickled file, like the release's
 * `丽丽.json`, is named as such with the command that converts it);
 * normalizations are reported as warnings. Personas come back sorted by file name.
 *
 * @param dir - The data folder.
 * @returns The usable personas and every problem found.
 * @example
 * ```ts no-run
 * const { personas, problems } = loadPersonaBench("fixtures/personabench-mini");
 * problems.map(formatProblem).forEach((line) => console.log(line));
 * ```
 */
export function loadPersonaBench(dir: string): LoadedBench {
  const root = resolve(dir);
  let names: string[];
  try {
    if (!statSync(root).isDirectory()) throw new Error("not a folder");
    names = readdirSync(root).filter((name) => name.toLowerCase().endsWith(".json"));
  } catch (error) {
    throw new Error(`PersonaBench data folder ${root} cannot be read (${(error as Error).message}); pass a folder of persona .json files`);
  }
  names.sort();
  const problems: DataProblem[] = [];
  const personas: BenchPersona[] = [];
  for (const name of names) {
    const persona = parsePersonaFile(readFileSync(join(root, name)), name, problems);
    if (persona) personas.push(persona);
  }
  return { dir: root, personas, problems };
}

/**
 * One line per problem.
 *
 * @param problem - A problem reported by `loadPersonaBench`.
 * @returns "severity file: path: message".
 * @example
 * ```ts no-run
 * formatProblem({ file: "a.json", path: "scenes.0", message: "bad", severity: "error" }); // "error a.json: scenes.0: bad"
 * ```
 */
export function formatProblem(problem: DataProblem): string {
  return `${problem.severity} ${problem.file}${problem.path ? `: ${problem.path}` : ""}: ${problem.message}`;
}
