// The poisoning guard's layers one by one, and the tools to measure them on a labelled corpus.
// The combined guard for options.guards (poisoningGuard) is in the root entry.
export { checkStructure, STRUCTURAL_MAX_LENGTH } from "./guard/structural.js";
export type { StructuralCode, StructuralFinding, StructuralOptions } from "./guard/structural.js";
export { classifyPersonaValues, semanticGuardTool, SEMANTIC_GUARD_TOOL } from "./guard/semantic.js";
export type { SemanticEntry, SemanticClassification, SemanticGuardCallOptions } from "./guard/semantic.js";
export { SEMANTIC_LABELS, SemanticVerdictSchema, SemanticGuardCostSchema, SemanticGuardRunSchema } from "./guard/verdict.js";
export type { GuardLayer, SemanticLabel, SemanticVerdict, SemanticGuardCost, SemanticGuardRun } from "./guard/verdict.js";
export { encodeForPrompt } from "./guard/quote.js";
export { evaluateGuard } from "./learning/evaluateGuard.js";
export type { GuardEvalOptions, GuardEvalReport, GuardEvalEntryResult, GuardEvalFigures } from "./learning/evaluateGuard.js";
export { readGuardCorpus, parseGuardCorpus, GuardCorpusEntrySchema, GuardCorpusError } from "./learning/guardCorpus.js";
export type { GuardCorpusEntry } from "./learning/guardCorpus.js";
