import { HumanMessage } from "@langchain/core/messages";
import { formatPrompt } from "../../prompts/formatPrompt.js";
import { outputLanguage } from "../language.js";
import { failJob, StageLedger } from "../ledger.js";
import type { GeneratorSettings } from "../options.js";
import { personaForPrompt } from "../personaFile.js";
import { mapPool } from "../pool.js";
import { NEUTRALIZE_QUERY } from "../prompts/neutralizeQuery.js";
import { PERSONALIZED_QUERY } from "../prompts/personalizedQuery.js";
import { resolveRequest, type GeneratorStateType, type GeneratorUpdate, type PersonaJob, type SceneDraft } from "../state.js";
import { callStructured, StructuredOutputError } from "../structuredCall.js";
import { TOOLS } from "../tools.js";

export const QUERY_GENERATION = "query_generation";

/**
 * Stage 4, query generation: for each written scene, the user's first message
 * in the persona's own voice, then its neutralized form (the same request with
 * every persona detail removed), which is what a chatbot that must learn the
 * user receives.
 *
 * @param settings - Models.
 * @returns The node.
 * @example
 * graph.addNode(QUERY_GENERATION, createQueryGenerationNode(settings));
 */
export function createQueryGenerationNode(settings: GeneratorSettings) {
  return async (state: GeneratorStateType): Promise<GeneratorUpdate> => {
    const ledger = new StageLedger("query_generation");
    const request = resolveRequest(state.request);
    const language = outputLanguage(request.language).name;

    const queries = async (job: PersonaJob, scene: SceneDraft): Promise<SceneDraft> => {
      const persona = personaForPrompt(job.persona!);
      try {
        const first = await callStructured(
          settings.generator,
          {
            role: "generator",
            stage: "query_generation",
            tool: TOOLS.query.name,
            description: TOOLS.query.description,
            schema: TOOLS.query.schema,
            messages: [
              new HumanMessage(
                formatPrompt(PERSONALIZED_QUERY, {
                  persona,
                  scene_desc: scene.description ?? "",
                  scene_context: scene.context ?? "",
                  language,
                  tool: TOOLS.query.name,
                }),
              ),
            ],
          },
          ledger,
          settings.maxAttempts,
        );
        const neutral = await callStructured(
          settings.generator,
          {
            role: "generator",
            stage: "query_generation",
            tool: TOOLS.neutralized.name,
            description: TOOLS.neutralized.description,
            schema: TOOLS.neutralized.schema,
            messages: [
              new HumanMessage(
                formatPrompt(NEUTRALIZE_QUERY, { persona, scene_type: scene.sceneType, query: first.message, language, tool: TOOLS.neutralized.name }),
              ),
            ],
          },
          ledger,
          settings.maxAttempts,
        );
        ledger.count("queried");
        return { ...scene, status: "queried", personalizedQuery: first.message.trim(), neutralizedQuery: neutral.neutralized_query.trim() };
      } catch (error) {
        if (!(error instanceof StructuredOutputError)) throw error;
        ledger.fail(job.slot, error);
        ledger.drop(job, "invalid-output", error.message, scene);
        return { ...scene, status: "dropped" };
      }
    };

    const generate = async (job: PersonaJob): Promise<PersonaJob> => {
      if (job.status !== "active" || !job.persona) return job;
      try {
        const scenes: SceneDraft[] = [];
        for (const scene of job.scenes) scenes.push(scene.status === "written" ? await queries(job, scene) : scene);
        return { ...job, scenes };
      } catch (error) {
        return failJob(job, ledger, error);
      }
    };

    const jobs = await mapPool(state.jobs, request.concurrency, generate);
    return ledger.update({ jobs });
  };
}
