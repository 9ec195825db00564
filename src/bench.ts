// PersonaBench: load the data and run the evaluation from code (`persona bench` is the CLI).
export { loadPersonaBench, formatProblem } from "./bench/data/loadPersonaBench.js";
export type { BenchApi, BenchPersona, BenchScene, DataProblem, LoadedBench } from "./bench/data/types.js";
export { runBench } from "./bench/runBench.js";
export type { BenchRunOptions, BenchRunResult } from "./bench/runBench.js";
export { ALL_CONDITIONS, describeCondition, parseConditions } from "./bench/conditions.js";
export type { BenchCondition } from "./bench/conditions.js";
export { DEFAULT_EPISODE_SETTINGS } from "./bench/episode.js";
export type { EpisodeSettings } from "./bench/episode.js";
export { openAICompatibleFactory, resolveBenchModels } from "./bench/models.js";
export type { BenchModelFactory, BenchModelSettings, RoleModelSettings } from "./bench/models.js";
