// Graph
export { createPersonaGraph, createPersonaLearnerGraph } from "./graph/createPersonaGraph.js";
export type { PersonaGraphOptions, ExtraContextInput } from "./graph/options.js";
export { PersonaGraphState } from "./graph/state.js";
export type { PersonaGraphStateType, PersonaGraphUpdate, LearningSummary } from "./graph/state.js";
export { PersonaContextSchema } from "./graph/context.js";
export type { PersonaContext } from "./graph/context.js";
export { buildChatbotSystemPrompt } from "./graph/nodes/personalizedChatbot.js";
export { PERSONA_UPDATE, PERSONALIZED_CHATBOT, SESSION_MANAGER, SESSION_RECORDER, TOOL_EXECUTOR } from "./graph/routes.js";

// Persona schema
export { defaultPersonaSchema } from "./schema/defaultSchema.js";
export type { DefaultPersona } from "./schema/defaultSchema.js";
export { describePersonaFields } from "./schema/fields.js";
export type { PersonaField, PersonaValues, FieldKind } from "./schema/fields.js";
export { parsePersona } from "./schema/parsePersona.js";
export type { ParsedPersona, PersonaIssue } from "./schema/parsePersona.js";
export { isUnknownValue } from "./schema/unknown.js";
export { renderPersona } from "./render/renderPersona.js";
export { renderPersonaBlock, PERSONA_BLOCK_MAX_TOKENS } from "./render/personaBlock.js";
export type { PersonaBlockOptions, RenderedPersonaBlock } from "./render/personaBlock.js";
export type { OmittedValue } from "./render/renderableValues.js";
export { countTokens, estimateTokens } from "./render/tokens.js";
export { textField, listField, languageListField, ageField, mbtiLetterField, parseAge, isLanguageName, countWords, PERSONA_FORMAT_KEY } from "./schema/formats.js";
export type { PersonaFormat, TextFieldOptions, ListFieldOptions } from "./schema/formats.js";

// Poisoning guard layers
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
export { gateChanges } from "./learning/semanticGate.js";
export type { SemanticGuardSettings, SemanticGateResult } from "./learning/semanticGate.js";

// Learning
export { learnPersona } from "./learning/learnPersona.js";
export { validateChanges, applyChanges } from "./learning/validateChanges.js";
export type { ValidChange, ValidationContext } from "./learning/validateChanges.js";
export type { FieldPolicies, FieldPolicy, PersonaValueGuard } from "./learning/fieldPolicies.js";
export { UPDATE_PERSONA_TOOL, updatePersonaTool } from "./learning/updateTool.js";
// Message text and prompt templates (used by the PersonaBench module, handy for custom prompts).
export { messageText } from "./render/messageText.js";
export { formatPrompt } from "./prompts/formatPrompt.js";

export { checkPersonaValue, poisoningGuard } from "./learning/guards.js";
export { proposePersonaUpdate, commitProposal } from "./learning/learnPersona.js";
export type { PersonaProposal } from "./learning/learnPersona.js";
export type { PersonaReviewRequest, PersonaReviewDecision } from "./learning/review.js";
export { PersonaInputError, checkMessageText } from "./graph/input.js";

// Memory
export { PersonaMemory, PersonaWriteConflictError } from "./memory/personaMemory.js";
export type { CommitVersionInput, CommitVersionResult, VersionDraft } from "./memory/personaMemory.js";
export type {
  AppliedChange,
  LearningOutcome,
  LearningRecord,
  PersonaDocument,
  PersonaVersion,
  RejectedChange,
  SessionRecord,
  TranscriptTurn,
} from "./memory/records.js";
export { commitAtomically } from "./store/atomicCommit.js";
export { diffPersonas, formatDifferences } from "./memory/diff.js";
export type { FieldDifference } from "./memory/diff.js";
export { rollbackPersona, RollbackError } from "./learning/rollback.js";
export { exportPersona, PersonaExportSchema } from "./memory/export.js";
export type { PersonaExport } from "./memory/export.js";
export { forgetUser } from "./memory/erasure.js";
export type { ForgetResult } from "./memory/erasure.js";
export type { AtomicCommitStore, AtomicWrite } from "./store/atomicCommit.js";

// Storage
export { SqliteStore } from "./store/sqliteStore.js";
export type { SqliteStoreOptions } from "./store/sqliteStore.js";
export { openSqlitePersistence, scrubSqliteFile } from "./store/sqlitePersistence.js";
export { openPersistence } from "./store/openPersistence.js";
export { isPostgresUrl } from "./store/postgresUrl.js";
export type { Persistence, OpenPersistenceOptions } from "./store/openPersistence.js";
export type { SqlitePersistence, SqlitePersistenceOptions } from "./store/sqlitePersistence.js";
export { PersistenceError } from "./store/errors.js";
export type { ScrubOptions, ScrubReport } from "./store/scrubReport.js";
export { checkpointPrunerFor } from "./store/checkpointRetention.js";
export type { CheckpointPruner, PruneResult } from "./store/checkpointRetention.js";
export { supportsAtomicCommit, revOf } from "./store/atomicCommit.js";

// Models
export { createChatModelFromEnv, resolveModelEndpoint, ConfigurationError, DEFAULT_MODEL } from "./models/openaiCompatible.js";
export type { ChatModelSettings } from "./models/openaiCompatible.js";
