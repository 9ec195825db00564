import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { PersonaMemory } from "../../memory/personaMemory.js";
import { learnPersona } from "../../learning/learnPersona.js";
import { requireStore, resolveUserId } from "../context.js";
import type { PersonaSettings } from "../options.js";
import type { PersonaGraphStateType, PersonaGraphUpdate } from "../state.js";

export const PERSONA_UPDATE = "persona_update";

/**
 * Learns the persona from the user's ended sessions: the learner model proposes
 * field changes through the update_persona tool; valid ones become a new
 * persona version, rejected ones are recorded with their reasons.
 */
export function createPersonaUpdateNode(settings: PersonaSettings) {
  return async function personaUpdate(
    _state: PersonaGraphStateType,
    config: LangGraphRunnableConfig,
  ): Promise<PersonaGraphUpdate> {
    const memory = new PersonaMemory(requireStore(config), resolveUserId(config));
    const { record, version, persona } = await learnPersona(memory, settings, config);
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
