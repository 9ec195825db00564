import { HumanMessage, SystemMessage, type AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { z } from "zod";
import { PersonaMemory } from "../memory/personaMemory.js";
import type { LearningOutcome, LearningRecord, RejectedChange, VersionSource } from "../memory/records.js";
import type { PersonaField } from "../schema/fields.js";
import { formatPrompt } from "../prompts/formatPrompt.js";
import { LEARNER_SESSIONS, LEARNER_SYSTEM } from "../prompts/learnerPrompt.js";
import type { FieldPolicies, PersonaValueGuard } from "./fieldPolicies.js";
import { renderSessionForLearner } from "./transcripts.js";
import { UPDATE_PERSONA_TOOL, updatePersonaTool } from "./updateTool.js";
import { applyChanges, validateChanges, type ValidChange } from "./validateChanges.js";
import { gateChanges, type SemanticGuardSettings } from "./semanticGate.js";
import type { SemanticGuardRun } from "../guard/verdict.js";

/**
 * What {@link learnPersona} needs: the learner model, the persona schema and its fields, the
 * field policies and guards, and the transcript budget. Build it with {@link resolvePersonaSettings}
 * from the same options as the graph; every field is required there, so nothing has a default here.
 * @example
 * const settings: LearnPersonaSettings = resolvePersonaSettings({ model, semanticGuard: false });
 */
export interface LearnPersonaSettings {
  learnerModel: BaseChatModel;
  schema: z.ZodType;
  fields: PersonaField[];
  fieldPolicies: FieldPolicies;
  guards: PersonaValueGuard[];
  sessionBudgetTokens: number;
  maxSessionsPerLearning: number;
  requireEvidenceQuote: boolean;
  /**
   * The semantic guard (layer 3); absent: off.
   * @default absent (off)
   */
  semanticGuard?: SemanticGuardSettings;
  /**
   * Flagged verdicts go to human review instead of being rejected.
   * @default false
   */
  review?: boolean;
}

/**
 * What one {@link learnPersona} run did: the learning record (undefined when nothing was
 * pending), the threads it learned, and the persona version after the run.
 * @example
 * const { version, persona, record } = await learnPersona(memory, settings);
 */
export interface LearnPersonaResult {
  /** Undefined when there was nothing to learn. */
  record?: LearningRecord;
  /** Threads whose sessions this run marked as learned (for retention). */
  learnedThreadIds?: string[];
  version: number;
  persona: Record<string, unknown>;
}

/** Pulls the proposed changes out of the learner's reply; anything unusable is rejected. */
export function extractProposedChanges(reply: BaseMessage): {
  changes: unknown[];
  rejected: RejectedChange[];
  called: boolean;
} {
  const ai = reply as AIMessage;
  const changes: unknown[] = [];
  const rejected: RejectedChange[] = [];
  let called = false;
  for (const call of ai.tool_calls ?? []) {
    if (call.name !== UPDATE_PERSONA_TOOL) {
      rejected.push({ change: call, reason: `unknown tool "${call.name}"` });
      continue;
    }
    called = true;
    const list = (call.args as { changes?: unknown } | undefined)?.changes;
    if (!Array.isArray(list)) {
      rejected.push({ change: call.args, reason: '"changes" must be an array' });
      continue;
    }
    changes.push(...list);
  }
  for (const call of ai.invalid_tool_calls ?? []) {
    rejected.push({
      change: { name: call.name, args: call.args },
      reason: `tool call arguments are not valid JSON${call.error ? `: ${call.error}` : ""}`,
    });
  }
  return { changes, rejected, called };
}

function fieldList(fields: PersonaField[]): string {
  return fields
    .map((field) => {
      const kind = field.choices ? `one of ${field.choices.join("/")}` : `${field.kind}: ${field.format.hint}`;
      return `- ${field.path} (${kind})${field.description ? `: ${field.description}` : ""}`;
    })
    .join("\n");
}

/**
 * What the learner proposed for a set of sessions, validated but not yet stored.
 * @example
 * const proposal = await proposePersonaUpdate(memory, settings);
 * if (proposal) console.log(proposal.valid.length, "valid changes,", proposal.rejected.length, "rejected");
 */
export interface PersonaProposal {
  sessionIds: string[];
  /** How many turns of each session the learner read; later turns stay for the next run. */
  turnsRead: Record<string, number>;
  /** Persona version the proposal was computed against (for display; commits re-apply to the latest). */
  baseVersion: number;
  valid: ValidChange[];
  rejected: RejectedChange[];
  /** False when the learner did not call the update tool. */
  called: boolean;
  /** Set when the learner model call failed; the sessions stay for a later run. */
  error?: string;
  /** What the semantic guard did, when it ran. */
  semanticGuard?: SemanticGuardRun;
}

/**
 * Asks the learner model for field changes from the user's ended, not yet
 * learned sessions and validates them (nothing is stored).
 * @param memory - the user's memory
 * @param settings - the learner settings ({@link resolvePersonaSettings})
 * @param config - the runnable config passed to the model calls
 * @returns the validated proposal, or undefined when no session is pending
 * @example
 * const proposal = await proposePersonaUpdate(memory, settings);
 * if (proposal) await commitProposal(memory, settings, proposal);
 */
export async function proposePersonaUpdate(
  memory: PersonaMemory,
  settings: LearnPersonaSettings,
  config?: RunnableConfig,
): Promise<PersonaProposal | undefined> {
  const pending = (await memory.pendingSessions()).slice(0, settings.maxSessionsPerLearning);
  if (pending.length === 0) return undefined;
  const start = await memory.load();

  const sessionIds: string[] = [];
  const turnsRead: Record<string, number> = {};
  const rendered: string[] = [];
  const userWords: string[] = [];
  for (const session of pending) {
    // Only the turns not learned yet, and none recorded after the ledger was read.
    const turns = (await memory.turns(session.sessionId, session.learnedTurns)).filter((turn) => turn.index < session.turns);
    if (turns.length === 0) {
      // Recorded turns that cannot be read (bad rows) must not be claimed as learned from nothing.
      await memory.discardSession(session.sessionId, "no readable transcript");
      continue;
    }
    const lines = turns.flatMap((turn) => turn.messages);
    sessionIds.push(session.sessionId);
    turnsRead[session.sessionId] = session.turns;
    userWords.push(...lines.filter((line) => line.role === "user").map((line) => line.text));
    const continued = session.learnedTurns > 0 ? " (continued: earlier turns were learned before)" : "";
    rendered.push(`### Session ${sessionIds.length}${continued}\n${renderSessionForLearner(lines, settings.sessionBudgetTokens)}`);
  }
  if (sessionIds.length === 0) return undefined;

  if (typeof settings.learnerModel.bindTools !== "function") {
    throw new Error("persona learner: the learner model cannot call tools (it has no bindTools)");
  }
  const model = settings.learnerModel.bindTools([updatePersonaTool(settings.fields)], { tool_choice: "any" });
  let reply: BaseMessage;
  try {
    reply = await model.invoke(
      [
        new SystemMessage(
          formatPrompt(LEARNER_SYSTEM, {
            fields: fieldList(settings.fields),
            persona: JSON.stringify(start.persona, null, 1),
            tool: UPDATE_PERSONA_TOOL,
          }),
        ),
        new HumanMessage(formatPrompt(LEARNER_SESSIONS, { sessions: rendered.join("\n\n") })),
      ],
      config,
    );
  } catch (error) {
    // A run its caller cancelled did not fail: nothing is recorded, the sessions stay pending.
    config?.signal?.throwIfAborted();
    return {
      sessionIds,
      turnsRead,
      baseVersion: start.version,
      valid: [],
      rejected: [],
      called: false,
      error: (error as Error).message ?? String(error),
    };
  }

  const proposed = extractProposedChanges(reply);
  const { valid, rejected } = validateChanges(proposed.changes, {
    fields: settings.fields,
    policies: settings.fieldPolicies,
    guards: settings.guards,
    userText: settings.requireEvidenceQuote ? userWords.join("\n") : undefined,
  });
  const base = { sessionIds, turnsRead, baseVersion: start.version, called: proposed.called };
  if (!settings.semanticGuard || valid.length === 0) {
    return { ...base, valid, rejected: [...proposed.rejected, ...rejected] };
  }
  // Layer 3, after the model-free layers: only changes that passed them cost a call.
  const gated = await gateChanges(valid, settings.semanticGuard, { review: settings.review, config });
  if (gated.error !== undefined) {
    config?.signal?.throwIfAborted();
    return { ...base, valid: [], rejected: [], error: `semantic guard failed: ${gated.error}`, semanticGuard: gated.run };
  }
  return { ...base, valid: gated.valid, rejected: [...proposed.rejected, ...rejected, ...gated.rejected], semanticGuard: gated.run };
}

/**
 * How a proposal is committed: as learned, or after a reviewer's decision.
 * @example
 * await commitProposal(memory, settings, proposal, { source: "review", note: "approved by support" });
 */
export interface CommitProposalOptions {
  /**
   * Where the new version comes from.
   * @default "learning"
   */
  source?: VersionSource;
  /**
   * A note stored on the new version.
   * @default none
   */
  note?: string;
  /**
   * Outcome to record instead of the computed one (e.g. "review_rejected").
   * @default computed from the proposal ("applied", "no_changes", "all_rejected", "malformed" or "error")
   */
  outcome?: LearningOutcome;
}

/**
 * Stores a proposal: the valid changes become a new version (re-applied to the
 * latest persona), its sessions are claimed exactly once, and the run is
 * recorded in the learning log. A proposal with an error only records it.
 * @param memory - the user's memory
 * @param settings - the persona fields (a {@link LearnPersonaSettings} will do)
 * @param proposal - the output of {@link proposePersonaUpdate}
 * @param options - the version's source and note, or an outcome to record instead
 * @returns the learning record, the learned threads and the persona after the commit
 * @example
 * const proposal = await proposePersonaUpdate(memory, settings);
 * if (proposal) await commitProposal(memory, settings, proposal);
 */
export async function commitProposal(
  memory: PersonaMemory,
  settings: Pick<LearnPersonaSettings, "fields">,
  proposal: PersonaProposal,
  options: CommitProposalOptions = {},
): Promise<LearnPersonaResult> {
  if (proposal.error !== undefined) {
    const start = await memory.load();
    const record = await memory.recordLearning({
      sessionIds: proposal.sessionIds,
      outcome: "error",
      appliedCount: 0,
      rejected: [],
      error: proposal.error,
      ...(proposal.semanticGuard ? { semanticGuard: proposal.semanticGuard } : {}),
    });
    return { record, version: start.version, persona: start.persona };
  }
  const result = await memory.commitVersion({
    source: options.source ?? "learning",
    sessionIds: proposal.sessionIds,
    turnsRead: proposal.turnsRead,
    ...(options.note ? { note: options.note } : {}),
    build: (current) => {
      const { persona, applied } = applyChanges(current.persona, proposal.valid, settings.fields);
      return { persona, changes: applied, rejected: proposal.rejected };
    },
  });
  const appliedCount = result.version?.changes.length ?? 0;
  const outcome: LearningOutcome =
    result.claimedSessionIds.length === 0
      ? "already_learned"
      : options.outcome
        ? options.outcome
        : appliedCount > 0
          ? "applied"
          : !proposal.called
            ? "malformed"
            : proposal.valid.length === 0 && proposal.rejected.length > 0
              ? "all_rejected"
              : "no_changes";
  const record = await memory.recordLearning({
    sessionIds: result.claimedSessionIds.length > 0 ? result.claimedSessionIds : proposal.sessionIds,
    outcome,
    ...(result.version ? { version: result.version.version } : {}),
    appliedCount,
    rejected: proposal.rejected,
    ...(outcome === "malformed" ? { error: `the learner did not call ${UPDATE_PERSONA_TOOL}` } : {}),
    ...(proposal.semanticGuard ? { semanticGuard: proposal.semanticGuard } : {}),
  });
  return {
    record,
    learnedThreadIds: result.claimedThreadIds,
    version: result.document.version,
    persona: result.document.persona,
  };
}

/**
 * Learns from the user's ended, not yet learned sessions: asks the learner
 * model for field changes through the update tool, validates each, and commits
 * the valid ones as a new persona version. Every run is recorded in the
 * learning log. A failing model call leaves the sessions for a later run.
 * @param memory - the user's memory
 * @param settings - the learner settings; build them with {@link resolvePersonaSettings}
 * @param config - the runnable config passed to the model calls
 * @returns the learning record (undefined when nothing was pending) and the persona after the run
 * @example
 * import { PersonaMemory } from "langgraph-persona";
 * import { learnPersona, resolvePersonaSettings } from "langgraph-persona/learning";
 * const result = await learnPersona(new PersonaMemory(store, "alice"), resolvePersonaSettings({ model }));
 * console.log(result.version, result.record?.outcome);
 */
export async function learnPersona(
  memory: PersonaMemory,
  settings: LearnPersonaSettings,
  config?: RunnableConfig,
): Promise<LearnPersonaResult> {
  const proposal = await proposePersonaUpdate(memory, settings, config);
  if (!proposal) {
    const start = await memory.load();
    return { version: start.version, persona: start.persona };
  }
  return commitProposal(memory, settings, proposal);
}
