import { HumanMessage } from "@langchain/core/messages";
import { formatPrompt } from "../../prompts/formatPrompt.js";
import { outputLanguage } from "../language.js";
import { failJob, StageLedger } from "../ledger.js";
import type { GeneratorSettings } from "../options.js";
import { personaForPrompt } from "../personaFile.js";
import { mapPool } from "../pool.js";
import { CHOOSE_SCENES } from "../prompts/chooseScenes.js";
import { SCENE_NO_TOOLS } from "../prompts/sceneNoTools.js";
import { SCENE_TOOLS_OFFERED } from "../prompts/sceneToolsOffered.js";
import { WRITE_SCENE } from "../prompts/writeScene.js";
import type { SceneCategory } from "../records.js";
import { planScenes, type SceneSlotSpec } from "../scenePlan.js";
import { resolveRequest, type GeneratorStateType, type GeneratorUpdate, type PersonaJob, type SceneDraft } from "../state.js";
import { callStructured, StructuredOutputError } from "../structuredCall.js";
import { TOOLS } from "../tools.js";

export const SCENE_GENERATION = "scene_generation";

const key = (text: string) => text.normalize("NFKC").trim().toLowerCase();

function categoryList(categories: SceneCategory[]): string {
  return categories.map((c) => `- ${c.name}${c.description ? `: ${c.description}` : ""}`).join("\n");
}

/**
 * Stage 3, scene generation: for every scene position of a persona that has
 * no live scene (all of them at first, the dropped ones on a refill round),
 * picks common categories adapted to the persona and invents person-specific
 * scenes, then writes each scene: description, context facts for the
 * simulated user, expected response, and API docs when the position offers
 * tools (guided by the category's capabilities). Positions follow the release:
 * scenes without APIs first.
 *
 * @param settings - Models.
 * @returns The node.
 * @example
 * graph.addNode(SCENE_GENERATION, createSceneGenerationNode(settings));
 */
export function createSceneGenerationNode(settings: GeneratorSettings) {
  return async (state: GeneratorStateType): Promise<GeneratorUpdate> => {
    const ledger = new StageLedger("scene_generation");
    const request = resolveRequest(state.request);
    const language = outputLanguage(request.language);
    const plan = planScenes(request);
    const byName = new Map(state.categories.map((category) => [key(category.name), category]));

    const choose = async (job: PersonaJob, missing: SceneSlotSpec[], round: number): Promise<SceneDraft[]> => {
      const used = new Set(job.scenes.map((scene) => key(scene.category)));
      const available = state.categories.filter((category) => !used.has(key(category.name)));
      // When the list runs out (many refills), the missing common positions become person-specific.
      const common = missing.filter((slot) => slot.source === "common").slice(0, available.length);
      const specific = missing.filter((slot) => !common.includes(slot));
      const plain = common.filter((slot) => !slot.tools).length;
      const availableNames = new Set(available.map((category) => key(category.name)));
      const picks = await callStructured(
        settings.generator,
        {
          role: "generator",
          stage: "scene_generation",
          tool: TOOLS.scenePlan.name,
          description: TOOLS.scenePlan.description,
          schema: TOOLS.scenePlan.schema,
          check: (value) => {
            if (value.common.length < common.length) return `common: ${value.common.length} categories given, ${common.length} asked for`;
            if (value.specific.length < specific.length) return `specific: ${value.specific.length} scenes given, ${specific.length} asked for`;
            const chosen = value.common.slice(0, common.length).map((pick) => key(pick.category));
            const unknown = chosen.find((name) => !availableNames.has(name));
            if (unknown) return `common: "${unknown}" is not in the category list (or already used); copy names exactly from the list`;
            if (new Set(chosen).size !== chosen.length) return "common: a category is chosen twice";
            const labels = value.specific.slice(0, specific.length).map((pick) => key(pick.label));
            if (new Set(labels).size !== labels.length || labels.some((label) => used.has(label))) {
              return "specific: every scene needs its own new label";
            }
            return undefined;
          },
          messages: [
            new HumanMessage(
              formatPrompt(CHOOSE_SCENES, {
                persona: personaForPrompt(job.persona!),
                categories: categoryList(available),
                common_count: String(common.length),
                plain_count: String(plain),
                specific_count: String(specific.length),
                exclude: job.scenes.map((scene) => scene.category).join("\n") || "(none)",
                language: language.name,
                tool: TOOLS.scenePlan.name,
              }),
            ),
          ],
        },
        ledger,
        settings.maxAttempts,
      );
      const drafts: SceneDraft[] = [];
      common.forEach((slot, i) => {
        const pick = picks.common[i];
        const category = byName.get(key(pick.category))!;
        drafts.push({
          position: slot.position,
          tools: slot.tools,
          source: "common",
          round,
          category: category.name,
          sceneType: `${pick.label.trim()}${language.separator}${pick.explanation.trim()}`,
          capabilities: category.capabilities,
          status: "planned",
          repairs: [],
        });
      });
      specific.forEach((slot, i) => {
        const pick = picks.specific[i];
        drafts.push({
          position: slot.position,
          tools: slot.tools,
          source: "specific",
          round,
          category: pick.label.trim(),
          sceneType: `${pick.label.trim()}${language.separator}${pick.explanation.trim()}`,
          capabilities: [],
          status: "planned",
          repairs: [],
        });
      });
      ledger.count("planned", drafts.length);
      return drafts.sort((a, b) => a.position - b.position);
    };

    const write = async (job: PersonaJob, draft: SceneDraft): Promise<SceneDraft> => {
      const tools = draft.tools
        ? formatPrompt(SCENE_TOOLS_OFFERED, {
            capabilities: draft.capabilities.length
              ? draft.capabilities.map((capability) => `- ${capability}`).join("\n")
              : "(none listed: define what this scene needs)",
          })
        : SCENE_NO_TOOLS;
      const prompt = formatPrompt(WRITE_SCENE, {
        persona: personaForPrompt(job.persona!),
        scene_type: draft.sceneType,
        tools,
        language: language.name,
        tool: TOOLS.sceneWithApis.name,
      });
      try {
        if (draft.tools) {
          const scene = await callStructured(
            settings.generator,
            {
              role: "generator",
              stage: "scene_generation",
              tool: TOOLS.sceneWithApis.name,
              description: TOOLS.sceneWithApis.description,
              schema: TOOLS.sceneWithApis.schema,
              check: (value) => {
                const names = value.available_apis.map((api) => api.name);
                return new Set(names).size === names.length ? undefined : "available_apis: every API needs its own name";
              },
              messages: [new HumanMessage(prompt)],
            },
            ledger,
            settings.maxAttempts,
          );
          ledger.count("written");
          return {
            ...draft,
            status: "written",
            description: scene.scene_desc,
            context: scene.scene_context,
            expectedResponse: scene.expected_response,
            apis: scene.available_apis,
          };
        }
        const scene = await callStructured(
          settings.generator,
          {
            role: "generator",
            stage: "scene_generation",
            tool: TOOLS.sceneWithoutApis.name,
            description: TOOLS.sceneWithoutApis.description,
            schema: TOOLS.sceneWithoutApis.schema,
            messages: [new HumanMessage(prompt)],
          },
          ledger,
          settings.maxAttempts,
        );
        ledger.count("written");
        return { ...draft, status: "written", description: scene.scene_desc, context: scene.scene_context, expectedResponse: scene.expected_response };
      } catch (error) {
        if (!(error instanceof StructuredOutputError)) throw error;
        ledger.fail(job.slot, error);
        ledger.drop(job, "invalid-output", error.message, draft);
        return { ...draft, status: "dropped" };
      }
    };

    const generate = async (job: PersonaJob): Promise<PersonaJob> => {
      if (job.status !== "active" || !job.persona) return job;
      const live = new Set(job.scenes.filter((scene) => scene.status !== "dropped").map((scene) => scene.position));
      const missing = plan.filter((slot) => !live.has(slot.position));
      if (missing.length === 0) return job;
      try {
        const planned = await choose(job, missing, job.refills);
        const written: SceneDraft[] = [];
        for (const draft of planned) written.push(await write(job, draft));
        return { ...job, scenes: [...job.scenes, ...written] };
      } catch (error) {
        return failJob(job, ledger, error);
      }
    };

    const jobs = await mapPool(state.jobs, request.concurrency, generate);
    return ledger.update({ jobs });
  };
}
