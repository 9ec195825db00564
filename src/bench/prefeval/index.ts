// The PrefEval suite of `persona bench` (Zhao et al., ICLR 2025; data from amazon-science/PrefEval, CC BY-NC 4.0, never shipped).

export { loadPrefEval, selectItems, parseForms, parseFillers, PrefEvalSelectionError } from "./data/loadPrefEval.js";
export type { LoadPrefEvalOptions, PrefEvalSelection } from "./data/loadPrefEval.js";
export { PREFEVAL_FORMS, FORM_FOLDERS, FILLER_FILE } from "./data/types.js";
export type { FillerPair, LoadedPrefEval, PrefEvalForm, PrefEvalItem, PrefEvalTurn } from "./data/types.js";
export { ALL_PREFEVAL_CONDITIONS, PREFEVAL_CONDITIONS, describePrefEvalCondition, parsePrefEvalConditions, playsSessionOne } from "./conditions.js";
export type { PrefEvalCondition } from "./conditions.js";
export { runPrefEval, DEFAULT_FILLERS, suiteOfFolder, readPrefEvalRunRecord } from "./runPrefEval.js";
export type { PrefEvalRunOptions, PrefEvalRunResult, PrefEvalIdentity, PrefEvalRunRecord } from "./runPrefEval.js";
export { runPrefEvalItem, rejudgePrefEvalItem, GOLDEN_PREFERENCE_FIELD, PrefEvalItemFailure } from "./runItem.js";
export type { PrefEvalEnvironment } from "./runItem.js";
export { rebuildPrefEvalReport } from "./reportOnly.js";
export { estimatePrefEval, formatPrefEvalEstimate, PREFEVAL_DRY_RUN_ASSUMPTIONS } from "./dryRun.js";
export type { PrefEvalEstimate, PrefEvalDryRunOptions, PrefEvalCallRange } from "./dryRun.js";
export { resolveSemanticGuard } from "./semanticGuard.js";
export { classifyReply, judgePrefEvalReply, judgeStoredPreference, PREFEVAL_ERROR_TYPES } from "./judge/checks.js";
export type { PrefEvalJudgment, PrefEvalErrorType, ReplyClassification, CheckVerdict, AcknowledgmentVerdict } from "./judge/checks.js";
export type { PrefEvalItemResult, PrefEvalFailure, PrefEvalRecord, PrefEvalLearning, PrefEvalPlace } from "./results.js";
export { summarizePrefEval, cellAt, PREFEVAL_ROLES } from "./report/summarize.js";
export type { PrefEvalSummary, PrefEvalConditionSummary, AccuracyCell, PrefEvalScope } from "./report/summarize.js";
export { prefEvalConsoleTable } from "./report/consoleTable.js";
export { prefEvalMockReply } from "./mockReplies.js";
