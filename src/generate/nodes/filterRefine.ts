import { HumanMessage } from "@langchain/core/messages";
import { formatPrompt } from "../../prompts/formatPrompt.js";
import { outputLanguage } from "../language.js";
import { failJob, StageLedger } from "../ledger.js";
import type { GeneratorSettings } from "../options.js";
import { buildPersonaFile, personaForPrompt, sceneText } from "../personaFile.js";
import { mapPool } from "../pool.js";
import { CHECK_SCENE } from "../prompts/checkScene.js";
import { REPAIR_EXPECTED_RESPONSE } from "../prompts/repairExpectedResponse.js";
import { REPAIR_NEUTRALIZED_QUERY } from "../prompts/repairNeutralizedQuery.js";
import { planScenes } from "../scenePlan.js";
import { DiversityIndex } from "../similarity.js";
import { resolveRequest, type GeneratorStateType, type GeneratorUpdate, type PersonaJob, type SceneDraft } from "../state.js";
import { callStructured, StructuredOutputError } from "../structuredCall.js";
import { TOOLS, type SceneCheck } from "../tools.js";

export const FILTER_REFINE = "filter_refine";

function apisForPrompt(scene: SceneDraft): string {
  if (!scene.tools || !scene.apis?.length) return "(none: conversation only)";
  return scene.apis.map((api) => `- ${api.name}(${api.arguments.join(", ")}): ${api.description}`).join("\n");
}

/**
 * Stage 5, filtering and refinement. For each new scene of a persona, in
 * order: a scene nearly the same as one already kept is dropped; the checker
 * model then says whether it is answerable with its APIs, which persona
 * details its neutralized query leaks, and whether its expected response uses
 * the persona. Unanswerable scenes are dropped; leaks and persona-blind
 * responses are repaired by the generator and checked again, up to
 * `request.sceneRepairs` times, then dropped. Every drop is recorded with its
 * stage and reason. Positions left without a scene are sent back to scene
 * generation for up to `request.refillRounds` rounds; then the persona file is
 * built from the kept scenes.
 *
 * @param settings - Models (the checker reviews, the generator repairs).
 * @returns The node.
 * @example
 * graph.addNode(FILTER_REFINE, createFilterRefineNode(settings));
 */
export function createFilterRefineNode(settings: GeneratorSettings) {
  return async (state: GeneratorStateType): Promise<GeneratorUpdate> => {
    const ledger = new StageLedger("filter_refine");
    const request = resolveRequest(state.request);
    const language = outputLanguage(request.language).name;
    const positions = planScenes(request).map((slot) => slot.position);

    const check = (job: PersonaJob, scene: SceneDraft): Promise<SceneCheck> =>
      callStructured(
        settings.checker,
        {
          role: "checker",
          stage: "filter_refine",
          tool: TOOLS.check.name,
          description: TOOLS.check.description,
          schema: TOOLS.check.schema,
          messages: [
            new HumanMessage(
              formatPrompt(CHECK_SCENE, {
                persona: personaForPrompt(job.persona!),
                scene_type: scene.sceneType,
                scene_desc: scene.description ?? "",
                scene_context: scene.context ?? "",
                apis: apisForPrompt(scene),
                expected_response: scene.expectedResponse ?? "",
                neutralized_query: scene.neutralizedQuery ?? "",
                tool: TOOLS.check.name,
              }),
            ),
          ],
        },
        ledger,
        settings.maxAttempts,
      );

    const review = async (job: PersonaJob, draft: SceneDraft): Promise<SceneDraft> => {
      let scene = draft;
      for (let repairs = 0; ; repairs++) {
        const verdict = await check(job, scene);
        ledger.count("checked");
        if (!verdict.answerable) {
          ledger.drop(job, "unanswerable", verdict.answerable_reason || "the checker found it unanswerable", scene);
          return { ...scene, status: "dropped" };
        }
        const leaks = verdict.leaked_details.filter((detail) => detail.trim());
        if (leaks.length === 0 && verdict.uses_persona) {
          ledger.count("accepted");
          if (scene.repairs.length) ledger.count("accepted_after_repair");
          return { ...scene, status: "accepted" };
        }
        if (repairs >= request.sceneRepairs) {
          const [reason, detail] = leaks.length
            ? ["query-leaks-persona", `neutralized query still shows: ${leaks.join("; ")}`]
            : ["response-ignores-persona", verdict.uses_persona_reason || "the expected response does not use the persona"];
          ledger.drop(job, reason, `${detail} (after ${repairs} repairs)`, scene);
          return { ...scene, status: "dropped" };
        }
        if (leaks.length) {
          const repaired = await callStructured(
            settings.generator,
            {
              role: "generator",
              stage: "filter_refine",
              tool: TOOLS.repairedQuery.name,
              description: TOOLS.repairedQuery.description,
              schema: TOOLS.repairedQuery.schema,
              messages: [
                new HumanMessage(
                  formatPrompt(REPAIR_NEUTRALIZED_QUERY, {
                    neutralized_query: scene.neutralizedQuery ?? "",
                    leaks: leaks.map((leak) => `- ${leak}`).join("\n"),
                    language,
                    tool: TOOLS.repairedQuery.name,
                  }),
                ),
              ],
            },
            ledger,
            settings.maxAttempts,
          );
          ledger.count("repaired.neutralized_query");
          scene = { ...scene, neutralizedQuery: repaired.neutralized_query.trim(), repairs: [...scene.repairs, "neutralized_query"] };
        }
        if (!verdict.uses_persona) {
          const repaired = await callStructured(
            settings.generator,
            {
              role: "generator",
              stage: "filter_refine",
              tool: TOOLS.repairedResponse.name,
              description: TOOLS.repairedResponse.description,
              schema: TOOLS.repairedResponse.schema,
              messages: [
                new HumanMessage(
                  formatPrompt(REPAIR_EXPECTED_RESPONSE, {
                    persona: personaForPrompt(job.persona!),
                    scene_desc: scene.description ?? "",
                    expected_response: scene.expectedResponse ?? "",
                    reason: verdict.uses_persona_reason || "it does not use the persona",
                    language,
                    tool: TOOLS.repairedResponse.name,
                  }),
                ),
              ],
            },
            ledger,
            settings.maxAttempts,
          );
          ledger.count("repaired.expected_response");
          scene = { ...scene, expectedResponse: repaired.expected_response.trim(), repairs: [...scene.repairs, "expected_response"] };
        }
      }
    };

    const filter = async (job: PersonaJob): Promise<PersonaJob> => {
      if (job.status !== "active" || !job.persona) return job;
      const kept = new DiversityIndex();
      for (const scene of job.scenes) if (scene.status === "accepted") kept.add(String(scene.position), `scene ${scene.position}`, sceneText(scene));
      const scenes = [...job.scenes];
      try {
        const order = scenes.map((scene, i) => [scene, i] as const).filter(([scene]) => scene.status === "queried").sort(([a], [b]) => a.position - b.position);
        for (const [scene, i] of order) {
          const text = sceneText(scene);
          const nearest = kept.nearest(text);
          if (nearest && nearest.similarity >= request.maxSceneSimilarity) {
            ledger.drop(job, "duplicate-scene", `similarity ${nearest.similarity.toFixed(2)} with ${nearest.label} (limit ${request.maxSceneSimilarity})`, scene);
            scenes[i] = { ...scene, status: "dropped" };
            continue;
          }
          try {
            scenes[i] = await review(job, scene);
          } catch (error) {
            if (!(error instanceof StructuredOutputError)) throw error;
            ledger.fail(job.slot, error);
            ledger.drop(job, "invalid-output", error.message, scene);
            scenes[i] = { ...scene, status: "dropped" };
          }
          if (scenes[i].status === "accepted") kept.add(String(scene.position), `scene ${scene.position}`, sceneText(scenes[i]));
        }
      } catch (error) {
        return failJob({ ...job, scenes }, ledger, error);
      }

      const filled = new Set(scenes.filter((scene) => scene.status === "accepted").map((scene) => scene.position));
      const missing = positions.filter((position) => !filled.has(position));
      if (missing.length && job.refills < request.refillRounds) {
        ledger.count("refill_requested", missing.length);
        return { ...job, scenes, refills: job.refills + 1 };
      }
      if (filled.size === 0) {
        const detail = `every scene was dropped (${scenes.length} written in ${job.refills + 1} rounds)`;
        ledger.drop({ ...job, scenes }, "no-scenes-left", detail);
        return { ...job, scenes, status: "dropped", outcome: { stage: "filter_refine", reason: "no-scenes-left", detail } };
      }
      if (missing.length) {
        ledger.count("short_personas");
        ledger.count("missing_scenes", missing.length);
      }
      const done: PersonaJob = { ...job, scenes, status: "done" };
      ledger.count("personas_done");
      return { ...done, file: buildPersonaFile(done) };
    };

    const jobs = await mapPool(state.jobs, request.concurrency, filter);
    return ledger.update({ jobs });
  };
}

