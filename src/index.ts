// The root entry: what an app needs to add a learned persona to a LangGraph chatbot.
// Advanced pieces live in named entries: ./graph, ./learning, ./guard, ./store, ./render,
// ./models, ./postgres, ./testing, ./bench, ./generate.

// Graph builders, their options, state and context
export { createPersonaGraph, createPersonaLearnerGraph } from "./graph/createPersonaGraph.js";
export type { PersonaGraphOptions, ExtraContextInput } from "./graph/options.js";
export { PersonaGraphState } from "./graph/state.js";
export type { PersonaGraphStateType, PersonaGraphUpdate, LearningSummary } from "./graph/state.js";
export { PersonaContextSchema } from "./graph/context.js";
export type { PersonaContext } from "./graph/context.js";
export { PersonaInputError } from "./graph/input.js";
export type { PersonaReviewRequest, PersonaReviewDecision } from "./learning/review.js";

// Persona schema helpers
export { defaultPersonaSchema } from "./schema/defaultSchema.js";
export type { DefaultPersona } from "./schema/defaultSchema.js";
export { textField, listField, languageListField, ageField, mbtiLetterField } from "./schema/formats.js";
export type { TextFieldOptions, ListFieldOptions } from "./schema/formats.js";
export { describePersonaFields } from "./schema/fields.js";
export type { PersonaField, PersonaValues, FieldKind } from "./schema/fields.js";
export { parsePersona } from "./schema/parsePersona.js";
export type { ParsedPersona, PersonaIssue } from "./schema/parsePersona.js";
export { isUnknownValue } from "./schema/unknown.js";

// Guards and field policies (options.guards, options.fieldPolicies)
export { checkPersonaValue, poisoningGuard } from "./learning/guards.js";
export type { FieldPolicies, FieldPolicy, PersonaValueGuard } from "./learning/fieldPolicies.js";

// Persona memory and the user's controls over it
export { PersonaMemory, PersonaWriteConflictError } from "./memory/personaMemory.js";
export type { PersonaMemoryOptions, CommitVersionInput, CommitVersionResult, VersionDraft } from "./memory/personaMemory.js";
export type {
  AppliedChange,
  LearningOutcome,
  LearningRecord,
  PersonaDocument,
  PersonaVersion,
  RejectedChange,
  SessionRecord,
  SessionStatus,
  TranscriptTurn,
  VersionSource,
} from "./memory/records.js";
export { diffPersonas, formatDifferences } from "./memory/diff.js";
export type { FieldDifference } from "./memory/diff.js";
export { exportPersona, PersonaExportSchema } from "./memory/export.js";
export type { PersonaExport } from "./memory/export.js";
export type { RetentionPolicy } from "./memory/retention.js";
export { forgetUser } from "./memory/erasure.js";
export type { ForgetResult } from "./memory/erasure.js";

// Persistence (Postgres: the ./postgres entry)
export { openSqlitePersistence } from "./store/sqlitePersistence.js";
export type { SqlitePersistence, SqlitePersistenceOptions } from "./store/sqlitePersistence.js";
export { openPersistence } from "./store/openPersistence.js";
export type { Persistence, OpenPersistenceOptions } from "./store/openPersistence.js";
export { PersistenceError } from "./store/errors.js";
