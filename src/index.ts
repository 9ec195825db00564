// Graph
export { createPersonaGraph, createPersonaLearnerGraph } from "./graph/createPersonaGraph.js";
export type { PersonaGraphOptions, ExtraContextInput } from "./graph/options.js";
export { PersonaGraphState } from "./graph/state.js";
export type { PersonaGraphStateType, PersonaGraphUpdate, LearningSummary } from "./graph/state.js";
export { PersonaContextSchema } from "./graph/context.js";
export type { PersonaContext } from "./graph/context.js";
export { SESSION_MANAGER } from "./graph/nodes/sessionManager.js";
export { PERSONALIZED_CHATBOT, buildChatbotSystemPrompt } from "./graph/nodes/personalizedChatbot.js";
export { PERSONA_UPDATE } from "./graph/nodes/personaUpdate.js";
export { TOOL_EXECUTOR, routeAfterChatbot, routeAfterSessionManager } from "./graph/routes.js";

// Persona schema
export { defaultPersonaSchema } from "./schema/defaultSchema.js";
export type { DefaultPersona } from "./schema/defaultSchema.js";
export { describePersonaFields } from "./schema/fields.js";
export type { PersonaField, PersonaValues, FieldKind } from "./schema/fields.js";
export { parsePersona } from "./schema/parsePersona.js";
export type { ParsedPersona, PersonaIssue } from "./schema/parsePersona.js";
export { personaFromPersonaBench } from "./schema/personabench.js";
export { isUnknownValue } from "./schema/unknown.js";
export { renderPersona } from "./render/renderPersona.js";
export { countTokens } from "./render/tokens.js";

// Learning
export { learnPersona } from "./learning/learnPersona.js";
export { validateChanges, applyChanges } from "./learning/validateChanges.js";
export type { ValidChange, ValidationContext } from "./learning/validateChanges.js";
export type { FieldPolicies, FieldPolicy, PersonaValueGuard } from "./learning/fieldPolicies.js";
export { UPDATE_PERSONA_TOOL, updatePersonaTool } from "./learning/updateTool.js";

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
} from "./memory/types.js";
export { commitAtomically } from "./store/atomicCommit.js";
export { diffPersonas, formatDifferences } from "./memory/diff.js";
export type { FieldDifference } from "./memory/diff.js";
export { rollbackPersona, RollbackError } from "./memory/rollback.js";
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
