import { loadPersonaBench } from "../../src/bench/data/loadPersonaBench.js";
import type { EpisodeResult, SceneResult } from "../../src/bench/results.js";
import { messageText } from "../../src/render/messageText.js";
import { systemOf, type RoleCall } from "./helpers/roleModels.js";
import { FIXTURE, runFixture } from "./helpers/runFixture.js";

const personas = loadPersonaBench(FIXTURE).personas;
const [maya, chen] = personas;
const SCENES = maya.scenes.length + chen.scenes.length;

function byRole(calls: RoleCall[], role: RoleCall["role"]) {
  return calls.filter((c) => c.role === role);
}

/** Chatbot calls with the user's opening message of a scene. */
function chatbotCallsOfScene(calls: RoleCall[], query: string) {
  return byRole(calls, "chatbot").filter((c) => c.messages.some((m) => m.getType() === "human" && messageText(m) === query));
}

describe.each(["none", "golden", "learning:1", "learning:3", "learning:5", "full-history", "rag"])(
  "a full episode under %s on the fixture",
  (condition) => {
    let run: Awaited<ReturnType<typeof runFixture>>;
    let scenes: SceneResult[];
    let episodes: EpisodeResult[];

    beforeAll(async () => {
      run = await runFixture({ conditions: condition });
      const { ResultsLog } = await import("../../src/bench/results.js");
      const log = new ResultsLog(`${run.out}/results.jsonl`);
      scenes = log.scenes();
      episodes = log.episodes();
    });

    test("every scene of both personas is run once, in order, and each episode is closed", () => {
      expect(run.result.failures).toBe(0);
      expect(scenes).toHaveLength(SCENES);
      expect(scenes.filter((s) => s.personaId === "maya-chen").map((s) => s.sceneIndex)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(episodes.map((e) => e.personaId).sort()).toEqual(["maya-chen", "陈静"]);
      for (const scene of scenes) {
        expect(scene.turns).toBeGreaterThanOrEqual(1);
        expect(scene.outcome).toBe("satisfied");
        expect(scene.judge).toMatchObject({ status: "ok" });
        expect(scene.cost.chatbot!.calls).toBeGreaterThanOrEqual(scene.turns);
        expect(scene.cost.user!.calls).toBe(scene.turns);
        expect(scene.cost.judge!.calls).toBe(1);
        expect(scene.cost.chatbot!.promptTokens).toBeGreaterThan(0);
      }
    });

    test("the simulated user opens with the neutralized query and knows the golden persona and the scene", () => {
      const userCalls = byRole(run.calls, "user");
      expect(userCalls.length).toBeGreaterThan(0);
      const first = userCalls.find((c) => systemOf(c).includes(maya.scenes[0].description))!;
      expect(systemOf(first)).toContain("Maya Chen");
      expect(systemOf(first)).toContain(maya.scenes[0].context);
      expect(systemOf(first)).toContain(maya.scenes[0].expectedResponse);
      expect(messageText(first.messages[1])).toBe(maya.scenes[0].neutralizedQuery);
      expect(scenes.find((s) => s.personaId === "maya-chen" && s.sceneIndex === 1)!.transcript[0].text).toBe(
        maya.scenes[0].neutralizedQuery,
      );
    });

    test("the chatbot sees the user's messages only: no scene description, context or expected response", () => {
      for (const call of byRole(run.calls, "chatbot")) {
        const text = call.messages.map(messageText).join("\n");
        for (const scene of [...maya.scenes, ...chen.scenes]) {
          expect(text).not.toContain(scene.description);
          expect(text).not.toContain(scene.expectedResponse);
          expect(text).not.toContain(scene.context);
        }
        expect(systemOf(call)).not.toContain("<scene>");
      }
    });

    test("scene APIs are tools answered by the tool simulator", () => {
      const forecast = scenes.find((s) => s.personaId === "maya-chen" && s.sceneIndex === 4)!;
      expect(forecast.toolCalls).toHaveLength(1);
      expect(forecast.toolCalls[0]).toMatchObject({ api: "getMarineForecast", arguments: { location: "x", date: "x" } });
      expect(JSON.parse(forecast.toolCalls[0].result)).toMatchObject({ api: "getMarineForecast" });
      const toolCall = byRole(run.calls, "tool").find((c) => systemOf(c).includes('"getMarineForecast"'))!;
      expect(systemOf(toolCall)).toContain(maya.scenes[3].context);
      const bound = chatbotCallsOfScene(run.calls, chen.scenes[3].neutralizedQuery)[0];
      expect(bound.tools.map((t) => t.function.name)).toEqual(["getWeather", "api____"]);
      expect(bound.tools[1].function.description).toBe("查询门票: 查询景点门票和开放时间。");
      expect(chatbotCallsOfScene(run.calls, maya.scenes[0].neutralizedQuery)[0].tools).toEqual([]);
    });

    test("the condition shapes the chatbot's prompt and memory as specified", () => {
      const learner = byRole(run.calls, "learner");
      const prompts = (query: string) => chatbotCallsOfScene(run.calls, query).map(systemOf);
      const firstScene = prompts(maya.scenes[0].neutralizedQuery);
      const lastScene = prompts(maya.scenes[6].neutralizedQuery);
      const mayaEpisode = episodes.find((e) => e.personaId === "maya-chen")!;
      expect(firstScene.length).toBeGreaterThan(0);
      expect(lastScene.length).toBeGreaterThan(0);
      if (condition === "none") {
        expect(learner).toHaveLength(0);
        expect([...firstScene, ...lastScene].every((p) => !p.includes("<user_persona>") && !p.includes("<past_sessions>"))).toBe(true);
        expect(mayaEpisode.personaVersion).toBe(0);
        expect(mayaEpisode.similarity).toBeUndefined();
      } else if (condition === "golden") {
        expect(learner).toHaveLength(0);
        expect(firstScene.every((p) => p.includes("<user_persona>") && p.includes("Maya Chen") && p.includes("Marine biologist"))).toBe(true);
        expect(mayaEpisode.personaVersion).toBe(1);
        expect(mayaEpisode.finalPersona).toEqual(maya.golden);
      } else if (condition.startsWith("learning:")) {
        const k = Number(condition.split(":")[1]);
        expect(learner).toHaveLength(Math.floor(maya.scenes.length / k) + Math.floor(chen.scenes.length / k));
        expect(firstScene.every((p) => !p.includes("<user_persona>"))).toBe(true);
        expect(lastScene.every((p) => p.includes("<user_persona>") && p.includes("Asks about"))).toBe(true);
        const learned = scenes.filter((s) => s.personaId === "maya-chen" && s.learning);
        expect(learned.map((s) => s.sceneIndex)).toEqual([1, 2, 3, 4, 5, 6, 7].filter((i) => i % k === 0));
        expect(learned.every((s) => s.learning!.outcome === "applied")).toBe(true);
        expect(mayaEpisode.similarity).toMatchObject({ status: "ok", value: { scores: { Pattern: 5, Demographics: 0 } } });
        expect(scenes.filter((s) => s.learning).every((s) => (s.cost.learner?.calls ?? 0) === 1)).toBe(true);
      } else if (condition === "full-history") {
        expect(learner).toHaveLength(0);
        expect(firstScene.every((p) => !p.includes("<past_sessions>"))).toBe(true);
        for (const p of lastScene) {
          expect(p).toContain("<past_sessions>");
          for (const scene of maya.scenes.slice(0, 6)) expect(p).toContain(scene.neutralizedQuery);
          expect(p).not.toContain(chen.scenes[0].neutralizedQuery);
        }
      } else {
        expect(learner).toHaveLength(0);
        expect(firstScene.every((p) => !p.includes("<past_sessions>"))).toBe(true);
        const withRetrieval = byRole(run.calls, "chatbot").map(systemOf).filter((p) => p.includes("<past_sessions>"));
        expect(withRetrieval.length).toBeGreaterThan(0);
        for (const p of withRetrieval) expect((p.match(/\[session \d+\]/g) ?? []).length).toBeLessThanOrEqual(2);
      }
    });
  },
);

test("--chatbot-sees-scene gives the chatbot the scene description, as the paper's released code did", async () => {
  const run = await runFixture({ conditions: "none", settings: { sceneToChatbot: true }, extra: { personas: 1, scenes: 2 } });
  const prompts = byRole(run.calls, "chatbot").map(systemOf);
  expect(prompts.length).toBeGreaterThanOrEqual(2);
  for (const scene of maya.scenes.slice(0, 2)) {
    const own = chatbotCallsOfScene(run.calls, scene.neutralizedQuery).map(systemOf);
    expect(own.every((p) => p.includes(`<scene>\n${scene.description}\n</scene>`))).toBe(true);
  }
  expect(run.result.markdown).toContain("The chatbot was given each scene's description");
});
