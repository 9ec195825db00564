import { HumanMessage, SystemMessage, type AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { z } from "zod";
import { PersonaMemory } from "../memory/personaMemory.js";
import type { LearningRecord, RejectedChange } from "../memory/types.js";
import type { PersonaField } from "../schema/fields.js";
import { formatPrompt } from "../prompts/formatPrompt.js";
import { LEARNER_SESSIONS, LEARNER_SYSTEM } from "../prompts/learnerPrompt.js";
import type { FieldPolicies, PersonaValueGuard } from "./fieldPolicies.js";
import { renderSessionForLearner } from "./transcripts.js";
import { UPDATE_PERSONA_TOOL, updatePersonaTool } from "./updateTool.js";
import { applyChanges, validateChanges } from "./validateChanges.js";

export interface LearnPersonaSettings {
  learnerModel: BaseChatModel;
  schema: z.ZodType;
  fields: PersonaField[];
  fieldPolicies: FieldPolicies;
  guards: PersonaValueGuard[];
  sessionBudgetTokens: number;
  maxSessionsPerLearning: number;
  requireEvidenceQuote: boolean;
}

export interface LearnPersonaResult {
  /** Undefined when there was nothing to learn. */
  record?: LearningRecord;
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
      const kind = field.choices ? `one of ${field.choices.join("/")}` : field.kind;
      return `- ${field.path} (${kind})${field.description ? `: ${field.description}` : ""}`;
    })
    .join("\n");
}

/**
 * Learns from the user's ended, not yet learned sessions: asks the learner
 * model for field changes through the update tool, validates each, and commits
 * the valid ones as a new persona version. Every run is recorded in the
 * learning log. A failing model call leaves the sessions for a later run.
 */
export async function learnPersona(
  memory: PersonaMemory,
  settings: LearnPersonaSettings,
  config?: RunnableConfig,
): Promise<LearnPersonaResult> {
  const pending = (await memory.sessions("ended")).slice(0, settings.maxSessionsPerLearning);
  const start = await memory.load();
  if (pending.length === 0) return { version: start.version, persona: start.persona };
  const sessionIds = pending.map((session) => session.sessionId);

  const rendered: string[] = [];
  const userWords: string[] = [];
  for (const [index, session] of pending.entries()) {
    const turns = (await memory.transcript(session.sessionId))?.turns ?? [];
    userWords.push(...turns.filter((turn) => turn.role === "user").map((turn) => turn.text));
    rendered.push(`### Session ${index + 1}\n${renderSessionForLearner(turns, settings.sessionBudgetTokens) || "(empty)"}`);
  }

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
    const record = await memory.recordLearning({
      sessionIds,
      outcome: "error",
      appliedCount: 0,
      rejected: [],
      error: (error as Error).message ?? String(error),
    });
    return { record, version: start.version, persona: start.persona };
  }

  const proposed = extractProposedChanges(reply);
  const { valid, rejected } = validateChanges(proposed.changes, {
    fields: settings.fields,
    policies: settings.fieldPolicies,
    guards: settings.guards,
    userText: settings.requireEvidenceQuote ? userWords.join("\n") : undefined,
  });
  const allRejected = [...proposed.rejected, ...rejected];
  const result = await memory.commitVersion({
    source: "learning",
    sessionIds,
    build: (current) => {
      const { persona, applied } = applyChanges(current.persona, valid, settings.fields);
      return { persona, changes: applied, rejected: allRejected };
    },
  });
  const appliedCount = result.version?.changes.length ?? 0;
  const outcome =
    result.claimedSessionIds.length === 0
      ? "already_learned"
      : appliedCount > 0
        ? "applied"
        : !proposed.called
          ? "malformed"
          : valid.length === 0 && allRejected.length > 0
            ? "all_rejected"
            : "no_changes";
  const record = await memory.recordLearning({
    sessionIds: result.claimedSessionIds.length > 0 ? result.claimedSessionIds : sessionIds,
    outcome,
    ...(result.version ? { version: result.version.version } : {}),
    appliedCount,
    rejected: allRejected,
    ...(outcome === "malformed" ? { error: `the learner did not call ${UPDATE_PERSONA_TOOL}` } : {}),
  });
  return { record, version: result.document.version, persona: result.document.persona };
}
