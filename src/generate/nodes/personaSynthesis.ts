import { HumanMessage } from "@langchain/core/messages";
import { formatPrompt } from "../../prompts/formatPrompt.js";
import { outputLanguage } from "../language.js";
import { failJob, StageLedger } from "../ledger.js";
import type { GeneratorSettings } from "../options.js";
import { personaText, releasePersona } from "../personaFile.js";
import { mapPool } from "../pool.js";
import { PERSONA_DIFFERENCE } from "../prompts/personaDifference.js";
import { SYNTHESIZE_PERSONA } from "../prompts/synthesizePersona.js";
import type { GoldenPersona, Seed } from "../records.js";
import { DiversityIndex } from "../similarity.js";
import { resolveRequest, type GeneratorStateType, type GeneratorUpdate, type PersonaJob } from "../state.js";
import { callStructured } from "../structuredCall.js";
import { TOOLS } from "../tools.js";

export const PERSONA_SYNTHESIS = "persona_synthesis";

const MBTI = ["Extraversion_or_Introversion", "Sensing_or_Intuition", "Thinking_or_Feeling", "Judging_or_Perceiving"] as const;

/** What the persona must keep from its seed: the name, the age and the MBTI letters. */
export function seedMismatch(seed: Seed, persona: GoldenPersona): string | undefined {
  if (persona.Demographics.Name.trim() !== seed.Name.trim()) return `Demographics.Name must stay "${seed.Name}" as in the seed`;
  if (persona.Demographics.Age !== seed.Demographics.Age) return `Demographics.Age must stay ${seed.Demographics.Age} as in the seed`;
  for (const key of MBTI) {
    if (persona.Personality[key] !== seed.Personality[key]) return `Personality.${key} must stay "${seed.Personality[key]}" as in the seed`;
  }
  return undefined;
}

/** The index to compare with: the run's, or one built from this invocation's input and jobs. */
function diversityIndex(settings: GeneratorSettings, state: GeneratorStateType): DiversityIndex {
  if (settings.shared) return settings.shared.personas;
  const index = new DiversityIndex();
  state.existingPersonas.forEach((text, i) => index.add(`existing-${i}`, `existing persona ${i + 1}`, text));
  for (const job of state.jobs) if (job.persona) index.add(String(job.slot), job.persona.Demographics.Name, personaText(job.persona));
  return index;
}

/**
 * Stage 2, persona synthesis: each seed expanded into the full golden persona
 * (Pattern, Preference). Each candidate's lexical similarity to the nearest
 * persona accepted so far in the run is recorded; a candidate at or above
 * `request.maxPersonaSimilarity` is regenerated with the near neighbour shown,
 * up to `request.personaRegenerations` times, then dropped.
 *
 * @param settings - Models and shared run state.
 * @returns The node.
 * @example
 * graph.addNode(PERSONA_SYNTHESIS, createPersonaSynthesisNode(settings));
 */
export function createPersonaSynthesisNode(settings: GeneratorSettings) {
  return async (state: GeneratorStateType): Promise<GeneratorUpdate> => {
    const ledger = new StageLedger("persona_synthesis");
    const request = resolveRequest(state.request);
    const language = outputLanguage(request.language).name;
    const index = diversityIndex(settings, state);
    const threshold = request.maxPersonaSimilarity;

    const synthesize = async (job: PersonaJob): Promise<PersonaJob> => {
      if (job.status !== "active" || job.persona || !job.seed) return job;
      const seed = job.seed;
      let difference = "";
      let closest: { similarity: number; label: string } | undefined;
      try {
        for (let attempt = 1; attempt <= 1 + request.personaRegenerations; attempt++) {
          const persona = await callStructured(
            settings.generator,
            {
              role: "generator",
              stage: "persona_synthesis",
              tool: TOOLS.persona.name,
              description: TOOLS.persona.description,
              schema: TOOLS.persona.schema,
              check: (value) => seedMismatch(seed, value),
              messages: [
                new HumanMessage(
                  formatPrompt(SYNTHESIZE_PERSONA, { seed: JSON.stringify(seed, null, 2), language, difference, tool: TOOLS.persona.name }),
                ),
              ],
            },
            ledger,
            settings.maxAttempts,
          );
          ledger.count("candidates");
          const text = personaText(persona);
          // No await between nearest() and add(): concurrent jobs see each other's accepted personas.
          const nearest = index.nearest(text, String(job.slot));
          const similarity = nearest?.similarity ?? 0;
          const accepted = similarity < threshold;
          ledger.similarities.push({ slot: job.slot, attempt, similarity, nearest: nearest?.label ?? null, accepted });
          if (accepted) {
            index.add(String(job.slot), persona.Demographics.Name, text);
            ledger.count("accepted");
            return { ...job, persona: releasePersona(persona) };
          }
          ledger.count("near_duplicates");
          closest = { similarity, label: nearest!.label };
          difference = formatPrompt(PERSONA_DIFFERENCE, {
            similarity: similarity.toFixed(2),
            nearest: `${nearest!.label}:\n${nearest!.text}`,
          });
        }
      } catch (error) {
        return failJob(job, ledger, error);
      }
      const detail = `similarity ${closest!.similarity.toFixed(2)} with ${closest!.label} (limit ${threshold}) after ${1 + request.personaRegenerations} attempts`;
      ledger.drop(job, "near-duplicate-persona", detail);
      return { ...job, status: "dropped", outcome: { stage: "persona_synthesis", reason: "near-duplicate-persona", detail } };
    };

    const jobs = await mapPool(state.jobs, request.concurrency, synthesize);
    return ledger.update({ jobs });
  };
}
