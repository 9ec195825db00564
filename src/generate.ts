// PersonaBench generation: the paper's five-stage data pipeline as a LangGraph graph (`persona generate` is the CLI).
export { createPersonaBenchGenerator } from "./generate/graph.js";
export type { PersonaBenchGeneratorOptions, SharedRun } from "./generate/options.js";
export { GeneratorState, generationRequestSchema, resolveRequest } from "./generate/state.js";
export type {
  DropRecord,
  FailureRecord,
  GenerationRequest,
  GenerationRequestInput,
  GeneratorStateType,
  GeneratorUpdate,
  JobOutcome,
  PersonaJob,
  SceneDraft,
  SimilarityRecord,
} from "./generate/state.js";
export { GENERATION_STAGES, goldenPersonaSchema, releasePersonaFileSchema, seedSchema } from "./generate/records.js";
export type { GenerationStage, GoldenPersona, ReleasePersonaFile, ReleaseScene, SceneCategory, Seed } from "./generate/records.js";
export { readCapabilityFile, readCategoryFile, readSeedFile, SeedFileError, withCapabilities } from "./generate/seedFiles.js";
export { planScenes } from "./generate/scenePlan.js";
export type { SceneSlotSpec, ScenePlanCounts } from "./generate/scenePlan.js";
export { DiversityIndex, pairwiseSimilarities, summarizeSimilarities, textSimilarity } from "./generate/similarity.js";
export type { Nearest, SimilaritySummary } from "./generate/similarity.js";
export { runGeneration, GENERATION_LOG_FILE, GENERATION_REPORT_FILE } from "./generate/runGeneration.js";
export type { GenerationRunOptions, GenerationRunResult } from "./generate/runGeneration.js";
export { describeGenerateModels, generateModels, resolveGenerateModels, GENERATE_ROLE_ENV } from "./generate/models.js";
export type { GenerateModelSettings, GenerateRoleFlags, GenerateRoleSettings } from "./generate/models.js";
export { GENERATE_ROLES } from "./generate/cost.js";
export type { CallCost, CostTable, GenerateRole } from "./generate/cost.js";
export { callStructured, StructuredOutputError } from "./generate/structuredCall.js";
export type { CallLedger, StructuredRequest } from "./generate/structuredCall.js";
export { mockGenerateHandler } from "./generate/mockGenerateHandler.js";
