import type { PersonaValues } from "../../index.js";

/**
 * One API a scene offers the assistant, as documented in the scene.
 * @example
 * const tools = persona.scenes[0].apis.map((api: BenchApi) => api.toolName);
 */
export interface BenchApi {
  /** Name as written in the data. */
  name: string;
  /** Name usable as a tool name (letters, digits, "_" and "-", at most 64 characters). */
  toolName: string;
  arguments: string[];
  description: string;
}

/**
 * One scene of a persona: one session of the episode.
 * @example
 * const firstScene: BenchScene = loadPersonaBench(dir).personas[0].scenes[0];
 */
export interface BenchScene {
  /** Position in the persona's scene list, from 1. */
  index: number;
  /** The full `scene_type` ("category：explanation"). */
  type: string;
  /** The category part of `scene_type`. */
  category: string;
  description: string;
  /** Facts the simulated user knows. */
  context: string;
  expectedResponse: string;
  personalizedQuery: string;
  /** The neutralized query without its `<neutralized_query>` tags. */
  neutralizedQuery: string;
  apis: BenchApi[];
  /** "zh" when the scene's texts are Chinese, else "en". */
  language: "zh" | "en";
}

/**
 * One persona file: the golden persona and its scenes in order.
 * @example
 * const persona: BenchPersona = loadPersonaBench(dir).personas[0];
 */
export interface BenchPersona {
  /** File name without ".json"; unique in a data folder. */
  id: string;
  file: string;
  name: string;
  /** The golden persona mapped into the default persona schema. */
  golden: PersonaValues;
  /** The four persona groups as written in the file. */
  goldenRaw: Record<string, unknown>;
  scenes: BenchScene[];
}

/**
 * Something wrong or normalized in a data file, with where it is.
 * @example
 * loadPersonaBench(dir).problems.forEach((problem: DataProblem) => console.warn(formatProblem(problem)));
 */
export interface DataProblem {
  file: string;
  /** Dotted path of the field, e.g. "scenes.3.available_apis.getWeather.arguments"; "" for the whole file. */
  path: string;
  message: string;
  /** "error": the file is not used. "warning": it is used; the value was normalized or left out as reported. */
  severity: "error" | "warning";
}

/**
 * What {@link loadPersonaBench} found: the data folder, its usable personas and the problems met.
 * @example
 * const { personas, problems }: LoadedBench = loadPersonaBench("fixtures/personabench-mini");
 */
export interface LoadedBench {
  dir: string;
  personas: BenchPersona[];
  problems: DataProblem[];
}
