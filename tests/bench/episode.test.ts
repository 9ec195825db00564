import type { AIMessage } from "@langchain/core/messages";
import {
  loadPersonaBench,
  episodeSettingsFor,
  PROTOCOLS,
  type EpisodeResult,
  type SceneResult,
} from "../../src/bench.js";
import { messageText } from "../../src/render.js";
import { defaultScript, systemOf, type RoleCall, type RoleScript } from "./helpers/roleModels.js";
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

test("--chatbot-sees-scene gives the chatbot the scene description and API docs, as the paper's released code did", async () => {
  const run = await runFixture({ conditions: "none", settings: { sceneToChatbot: true }, extra: { personas: 1, scenes: 4 } });
  const prompts = byRole(run.calls, "chatbot").map(systemOf);
  expect(prompts.length).toBeGreaterThanOrEqual(4);
  for (const scene of maya.scenes.slice(0, 4)) {
    const own = chatbotCallsOfScene(run.calls, scene.neutralizedQuery).map(systemOf);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((p) => p.includes(`<scene>\n${scene.description}\n\nAPIs available in this scene (call them as tools):\n`))).toBe(true);
  }
  const withApi = chatbotCallsOfScene(run.calls, maya.scenes[3].neutralizedQuery).map(systemOf)[0];
  expect(withApi).toContain(`- getMarineForecast(location, date): ${maya.scenes[3].apis[0].description}`);
  expect(chatbotCallsOfScene(run.calls, maya.scenes[0].neutralizedQuery).map(systemOf)[0]).toContain("APIs available in this scene (call them as tools):\nnone\n</scene>");
  expect(run.result.markdown).toContain("The chatbot was given each scene's description and API documentation");
});

describe("the release protocol (--protocol release) on the fixture", () => {
  let run: Awaited<ReturnType<typeof runFixture>>;
  let scenes: SceneResult[];
  // The learner also tries to change a Demographics field, which the release froze.
  const learner: RoleScript = async (call) => {
    const reply = (await defaultScript(call)) as AIMessage;
    const changes = (reply.tool_calls?.[0]?.args as { changes: Array<{ evidence: string }> }).changes;
    if (changes.length) changes.push({ op: "set", field: "Demographics.Age", value: 99, evidence: changes[0].evidence } as never);
    return reply;
  };

  beforeAll(async () => {
    run = await runFixture({ conditions: "golden,learning:3,learning:5", settings: episodeSettingsFor(PROTOCOLS.release), scripts: { learner } });
    const { ResultsLog } = await import("../../src/bench/results.js");
    scenes = new ResultsLog(`${run.out}/results.jsonl`).scenes();
  });

  const learnedAt = (condition: string, personaId: string) =>
    scenes.filter((s) => s.condition === condition && s.personaId === personaId && s.learning).map((s) => s.sceneIndex);

  test("learning runs when k divides the scene number and in each of the last three scenes", () => {
    expect(run.result.failures).toBe(0);
    expect(learnedAt("learning:3", "maya-chen")).toEqual([3, 5, 6, 7]);
    expect(learnedAt("learning:5", "maya-chen")).toEqual([5, 6, 7]);
    expect(learnedAt("learning:3", "陈静")).toEqual([2, 3, 4]);
    expect(byRole(run.calls, "learner")).toHaveLength(4 + 3 + 3 + 3);
  });

  test("each run reads the last three waiting sessions; older ones are set aside, as the release dropped them", () => {
    const five = scenes.find((s) => s.condition === "learning:5" && s.personaId === "maya-chen" && s.sceneIndex === 5)!;
    expect(five.learning!.sessionIds.map((id) => /scene-(\d+)/.exec(id)![1])).toEqual(["003", "004", "005"]);
    expect(five.learning!.setAside!.map((id) => /scene-(\d+)/.exec(id)![1])).toEqual(["001", "002"]);
    const prompt = byRole(run.calls, "learner")
      .map((c) => c.messages.map(messageText).join("\n"))
      .find((text) => text.includes(maya.scenes[2].neutralizedQuery) && text.includes(maya.scenes[4].neutralizedQuery))!;
    expect(prompt).toContain(maya.scenes[3].neutralizedQuery);
    expect(prompt).not.toContain(maya.scenes[0].neutralizedQuery);
    expect(prompt).not.toContain(maya.scenes[1].neutralizedQuery);
    expect(run.result.summary.conditions.find((c) => c.condition === "learning:5")!.learning!.setAside).toBe(2);
  });

  test("the learner starts from the golden persona and may not change Demographics", () => {
    const first = byRole(run.calls, "learner")[0];
    expect(systemOf(first)).toContain("Marine biologist");
    const runs = scenes.filter((s) => s.learning);
    expect(runs.every((s) => s.learning!.outcome === "applied")).toBe(true);
    expect(runs.every((s) => s.learning!.rejectedReasons.includes('field "Demographics.Age" is frozen'))).toBe(true);
    expect(scenes.filter((s) => s.condition === "learning:3" && s.personaId === "maya-chen").map((s) => s.personaVersion)).toEqual([1, 1, 2, 2, 3, 4, 5]);
    const section = run.result.summary.conditions.find((c) => c.condition === "learning:3")!.learning!;
    expect(section.rejectedByReason).toEqual({ 'field "…" is frozen': 7 });
    expect(run.result.markdown).toMatch(/Rejected changes of learning:3, by reason:\n\n- 7 × field "…" is frozen/);
  });

  test("the chatbot sees the scene and API docs; the simulated user takes the expected response as a reference", () => {
    const own = chatbotCallsOfScene(run.calls, maya.scenes[3].neutralizedQuery).map(systemOf);
    expect(own.every((p) => p.includes(`<scene>\n${maya.scenes[3].description}`) && p.includes("getMarineForecast(location, date)"))).toBe(true);
    const user = byRole(run.calls, "user").find((c) => systemOf(c).includes(maya.scenes[0].description))!;
    expect(systemOf(user)).toContain(`For reference only, an answer another assistant gave for this person in this situation:\n${maya.scenes[0].expectedResponse}`);
    expect(systemOf(user)).toContain("the decision is yours");
    expect(run.result.markdown).toContain("Protocol: `release`. Turn cap: 3.");
  });

  test("at most three chatbot replies per scene", async () => {
    const neverSatisfied: RoleScript = () => JSON.stringify({ satisfied: false, reason: "no", message: "more please" });
    const capped = await runFixture({ conditions: "none", settings: episodeSettingsFor(PROTOCOLS.release), scripts: { user: neverSatisfied }, extra: { personas: 1, scenes: 2 } });
    expect(capped.result.summary.conditions[0]).toMatchObject({ scenesCapped: 2, turns: { mean: 3 } });
    expect(byRole(capped.calls, "user")).toHaveLength(6);
  });

  test("more than four replies per scene would break the 9-message window and is refused", async () => {
    await expect(runFixture({ conditions: "none", settings: episodeSettingsFor(PROTOCOLS.release, { turnCap: 5 }) })).rejects.toThrow(
      /reads at most 9 messages of a session, and 5 replies per scene make up to 10: use --turns 4 or fewer, or --protocol default/,
    );
  });
});
