// Learning outside the graph: learnPersona and its settings, the propose/commit halves,
// change validation, the update tool, the semantic gate and rollback.
export { learnPersona, proposePersonaUpdate, commitProposal } from "./learning/learnPersona.js";
export type { LearnPersonaSettings, LearnPersonaResult, PersonaProposal, CommitProposalOptions } from "./learning/learnPersona.js";
export { resolvePersonaSettings } from "./graph/options.js";
export type { PersonaSettings } from "./graph/options.js";
export { validateChanges, applyChanges } from "./learning/validateChanges.js";
export type { ValidChange, ValidationContext, ValidationResult } from "./learning/validateChanges.js";
export { UPDATE_PERSONA_TOOL, updatePersonaTool } from "./learning/updateTool.js";
export { gateChanges } from "./learning/semanticGate.js";
export type { SemanticGuardSettings, SemanticGateResult } from "./learning/semanticGate.js";
export { rollbackPersona, RollbackError } from "./learning/rollback.js";
