// PersonaBench: load the data, run the evaluation, rebuild or estimate it from code (`persona bench` is the CLI).
// The benchmark uses the library only through its public entries ("./index.js", "./render.js", "./models.js", "./testing/index.js", ...).

// Data
export { loadPersonaBench, formatProblem, isPythonPickle } from "./bench/data/loadPersonaBench.js";
export { personaFromPersonaBench } from "./bench/data/personaFromPersonaBench.js";
export type { BenchApi, BenchPersona, BenchScene, DataProblem, LoadedBench } from "./bench/data/types.js";

// Running
export { runBench, DEFAULT_MAX_FAILURE_RATE } from "./bench/runBench.js";
export type { BenchRunOptions, BenchRunResult, RunIdentity, RunRecord } from "./bench/runBench.js";
export { rebuildReport } from "./bench/reportOnly.js";
export type { RebuildReportOptions } from "./bench/reportOnly.js";
export { estimateRun, formatEstimate, DRY_RUN_ASSUMPTIONS } from "./bench/dryRun.js";
export type { DryRunEstimate, DryRunOptions, CallRange } from "./bench/dryRun.js";
export { ALL_CONDITIONS, describeCondition, parseConditions } from "./bench/conditions.js";
export type { BenchCondition } from "./bench/conditions.js";
export { PROTOCOLS, parseProtocol, protocolTable } from "./bench/protocol.js";
export type { BenchProtocol, ProtocolName } from "./bench/protocol.js";
export { DEFAULT_EPISODE_SETTINGS, episodeSettingsFor } from "./bench/episode.js";
export type { EpisodeSettings } from "./bench/episode.js";

// Models
export { openAICompatibleFactory, resolveBenchModels, resolveRoleModels, describeModels } from "./bench/models.js";
export type {
  BenchModelFactory,
  BenchModelSettings,
  ResolveBenchModelsOptions,
  RoleModelInfo,
  RoleModelSettings,
} from "./bench/models.js";
export { BENCH_ROLES } from "./bench/cost.js";
export type { BenchRole, CostByRole, RoleCost } from "./bench/cost.js";

// Results and report
export type {
  BenchRecord,
  EpisodeFailure,
  EpisodeResult,
  PairwiseFailure,
  PairwiseResult,
  SceneLearning,
  SceneResult,
} from "./bench/results.js";
export { summarize } from "./bench/report/summarize.js";
export type { BenchSummary, Breach, ConditionSummary, LearningSection, ReportScope, RoleHealth } from "./bench/report/summarize.js";
export { consoleTable } from "./bench/report/consoleTable.js";
export { bootstrapMean, pairedDifference } from "./bench/stats/bootstrap.js";
export type { Interval } from "./bench/stats/bootstrap.js";

// A deterministic OpenAI-compatible handler that plays every role (smoke runs without a model).
export { mockBenchHandler } from "./bench/mockBenchHandler.js";

// The PrefEval suite (`persona bench --suite prefeval`): PrefEval's data is CC BY-NC and never ships with the package.
export * from "./bench/prefeval/index.js";
