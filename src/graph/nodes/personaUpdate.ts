import { interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { PersonaMemory } from "../../memory/personaMemory.js";
import type { ThreadCheckpointCleaner } from "../../memory/retention.js";
import { checkpointPrunerFor } from "../../store/checkpointRetention.js";
import {
  commitProposal,
  learnPersona,
  proposePersonaUpdate,
  type LearnPersonaResult,
  type PersonaProposal,
} from "../../learning/learnPersona.js";
import { buildReviewRequest, parseReviewDecision } from "../../learning/review.js";
import { validateChanges } from "../../learning/validateChanges.js";
import { requireStore, resolveUserId, runCheckpointer } from "../context.js";
import type { PersonaSettings } from "../options.js";
import type { PersonaGraphStateType, PersonaGraphUpdate } from "../state.js";


/** How retention prunes the running graph's checkpoints, when the checkpointer is one the package knows. */
function checkpointCleaner(config: LangGraphRunnableConfig): ThreadCheckpointCleaner | undefined {
  const checkpointer = runCheckpointer(config);
  return checkpointer ? checkpointPrunerFor(checkpointer) : undefined;
}

/**
 * The reviewed path. A node runs again from the top when resumed, so the
 * proposal is kept in the store before interrupt(): the learner model is asked
 * once, and the reviewer decides on exactly what they were shown.
 */
async function learnWithReview(
  memory: PersonaMemory,
  settings: PersonaSettings,
  config: LangGraphRunnableConfig,
): Promise<LearnPersonaResult> {
  const pending = new Set((await memory.pendingSessions()).map((session) => session.sessionId));
  let proposal = await memory.pendingReview<PersonaProposal>();
  // A stored proposal is stale once any of its sessions was learned elsewhere.
  if (!proposal || !proposal.sessionIds.every((id) => pending.has(id))) {
    const fresh = await proposePersonaUpdate(memory, settings, config);
    if (!fresh) {
      const document = await memory.load();
      return { version: document.version, persona: document.persona };
    }
    // Nothing to decide: errors and empty proposals are recorded as usual.
    if (fresh.error !== undefined || fresh.valid.length === 0) return commitProposal(memory, settings, fresh);
    await memory.savePendingReview({ ...fresh });
    proposal = { ...fresh };
  }
  const current = await memory.load();
  const decision = parseReviewDecision(
    interrupt(buildReviewRequest(memory.userId, proposal, current.persona, settings.fields)),
  );
  let result: LearnPersonaResult;
  if (decision.action === "approve") {
    result = await commitProposal(memory, settings, proposal, { note: "approved in review" });
  } else if (decision.action === "reject") {
    result = await commitProposal(
      memory,
      settings,
      {
        ...proposal,
        valid: [],
        rejected: [
          ...proposal.rejected,
          ...proposal.valid.map((change) => ({ change, reason: `rejected in review${"reason" in decision && decision.reason ? `: ${decision.reason}` : ""}` })),
        ],
      },
      { outcome: "review_rejected" },
    );
  } else {
    // Edited changes come from a person: no quote rule, same schema, policies and guards.
    const edited = validateChanges(
      decision.changes.map((change) =>
        change && typeof change === "object" && !(change as { evidence?: unknown }).evidence
          ? { ...(change as object), evidence: "edited in review" }
          : change,
      ),
      { fields: settings.fields, policies: settings.fieldPolicies, guards: settings.guards },
    );
    result = await commitProposal(
      memory,
      settings,
      { ...proposal, valid: edited.valid, rejected: [...proposal.rejected, ...edited.rejected] },
      { source: "review", note: "edited in review" },
    );
  }
  await memory.clearPendingReview();
  return result;
}

/**
 * Learns the persona from the user's ended sessions: the learner model proposes
 * field changes through the update_persona tool; valid ones become a new
 * persona version, rejected ones are recorded with their reasons. With
 * `review: true` the node pauses (interrupt) with the proposed diff until a
 * person approves, edits or rejects it.
 * @param settings - the resolved settings ({@link resolvePersonaSettings})
 * @returns the node function (state, config) for StateGraph.addNode
 * @example
 * builder.addNode(PERSONA_UPDATE, createPersonaUpdateNode(resolvePersonaSettings({ model })));
 */
export function createPersonaUpdateNode(settings: PersonaSettings) {
  return async function personaUpdate(
    _state: PersonaGraphStateType,
    config: LangGraphRunnableConfig,
  ): Promise<PersonaGraphUpdate> {
    const memory = new PersonaMemory(requireStore(config), resolveUserId(config), { schema: settings.schema });
    const { record, version, persona, learnedThreadIds } = settings.review
      ? await learnWithReview(memory, settings, config)
      : await learnPersona(memory, settings, config);
    if (learnedThreadIds?.length) {
      await memory.prune(settings.retention, {
        threadIds: learnedThreadIds,
        runningThreadId: (config.configurable as { thread_id?: string } | undefined)?.thread_id,
        checkpoints: checkpointCleaner(config),
      });
    }
    return {
      persona,
      personaVersion: version,
      learningDue: false,
      ...(record
        ? {
            lastLearning: {
              outcome: record.outcome,
              sessionIds: record.sessionIds,
              version,
              applied: record.appliedCount,
              rejected: record.rejected.length,
              ...(record.error ? { error: record.error } : {}),
            },
          }
        : {}),
    };
  };
}
