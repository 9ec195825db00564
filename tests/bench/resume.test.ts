import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { messageText } from "../../src/render.js";
import { ResultsLog, sceneKey } from "../../src/bench/results.js";
import { loadPersonaBench } from "../../src/bench.js";
import { defaultScript, type RoleScript } from "./helpers/roleModels.js";
import { FIXTURE, runFixture, tempOut } from "./helpers/runFixture.js";

const [maya, chen] = loadPersonaBench(FIXTURE).personas;
const PLANNED = maya.scenes.length + chen.scenes.length;

function readLog(out: string) {
  return new ResultsLog(join(out, "results.jsonl"));
}

/** Every planned scene recorded exactly once. */
function expectEachSceneOnce(out: string, conditions: string[]) {
  const scenes = readLog(out).scenes();
  const keys = scenes.map((s) => sceneKey(s.condition, s.personaId, s.sceneIndex));
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).toHaveLength(PLANNED * conditions.length);
}

test("a failing endpoint stops only the affected persona's episode; a rerun resumes from the failed scene", async () => {
  const out = tempOut();
  const dryScene = maya.scenes[2].neutralizedQuery;
  const failing: RoleScript = (call) => {
    if (call.messages.some((m) => messageText(m) === dryScene)) throw new Error("endpoint down (HTTP 503)");
    return defaultScript(call);
  };
  const first = await runFixture({ conditions: "golden,learning:1", out, scripts: { chatbot: failing } });
  expect(first.result.failures).toBe(2);
  const log = readLog(out);
  expect(log.failures().map((f) => `${f.condition} ${f.personaId} ${f.sceneIndex} ${f.error}`).sort()).toEqual([
    "golden maya-chen 3 endpoint down (HTTP 503)",
    "learning:1 maya-chen 3 endpoint down (HTTP 503)",
  ]);
  // The other persona's episodes ran to the end.
  expect(log.scenes().filter((s) => s.personaId === "陈静")).toHaveLength(2 * chen.scenes.length);
  expect(log.episodes().map((e) => `${e.condition} ${e.personaId}`).sort()).toEqual(["golden 陈静", "learning:1 陈静"]);
  expect(first.progress).toMatch(/FAILED learning:1 maya-chen #3: chatbot: endpoint down/);
  expect(log.failures().every((f) => f.role === "chatbot" && f.cost?.chatbot?.failed === 1)).toBe(true);
  expect(first.result.markdown).toMatch(/episode failures: maya-chen scene 3 \(chatbot\): endpoint down/);
  // The failed call is counted for its role, and marks the figures it feeds.
  expect(first.result.summary.conditions[0].roles.chatbot.failed).toBe(1);
  expect(first.result.summary.conditions[0].problems.turns).toEqual(expect.arrayContaining([expect.stringMatching(/^chatbot: 1 of \d+ calls failed$/), "5 of 11 scenes not recorded"]));

  const second = await runFixture({ conditions: "golden,learning:1", out });
  expect(second.result.failures).toBe(0);
  // The scene failed on its first turn, and a turn that fails records nothing: there is no session to drop.
  expect(second.progress).not.toMatch(/unfinished scenes dropped/);
  expect(second.result.markdown).not.toMatch(/episode failures/);
  expect(second.result.scenesRun).toBe(2 * (maya.scenes.length - 2));
  expect(second.result.scenesSkipped).toBe(2 * (2 + chen.scenes.length));
  // Done scenes were not run again.
  const asked = second.calls.filter((c) => c.role === "chatbot").flatMap((c) => c.messages.map(messageText));
  expect(asked).not.toContain(maya.scenes[0].neutralizedQuery);
  expect(asked).toContain(dryScene);
  expectEachSceneOnce(out, ["golden", "learning:1"]);
  // Learning continued from the persona stored before the failure (one version per session, k = 1).
  const learning = readLog(out).scenes().filter((s) => s.condition === "learning:1" && s.personaId === "maya-chen");
  expect(learning.map((s) => s.personaVersion)).toEqual([1, 2, 3, 4, 5, 6, 7]);
});

test("an interrupted run loses no finished scene; rerunning the same command completes it", async () => {
  const out = tempOut();
  const controller = new AbortController();
  let finished = 0;
  const first = await runFixture({
    conditions: "none,learning:3",
    out,
    extra: { signal: controller.signal, concurrency: 2 },
    onProgress: (text) => {
      if (/^\[\d+\/\d+\] /m.test(text) && ++finished === 3) controller.abort();
    },
  });
  expect(first.result.interrupted).toBe(true);
  const partial = readLog(out).scenes().length;
  // At most the scenes in flight when the signal came (one per worker) finish after it.
  expect(partial).toBeGreaterThanOrEqual(3);
  expect(partial).toBeLessThanOrEqual(3 + 2);
  expect(readLog(out).pairwise()).toHaveLength(0);

  // A kill in the middle of a write leaves a torn line: it is skipped and reported.
  appendFileSync(join(out, "results.jsonl"), '{"type":"scene","condition":"none","perso');
  const second = await runFixture({ conditions: "none,learning:3", out, extra: { concurrency: 2 } });
  expect(second.result.interrupted).toBe(false);
  expect(second.progress).toMatch(/ignored unreadable lines \d+ of results\.jsonl/);
  expect(second.result.scenesRun).toBe(2 * PLANNED - partial);
  expectEachSceneOnce(out, ["none", "learning:3"]);
  expect(readFileSync(join(out, "results.jsonl"), "utf8").endsWith("\n")).toBe(true);
});

test("resuming with settings that change results is refused with a message saying what differs", async () => {
  const out = tempOut();
  await runFixture({ conditions: "none", out, extra: { scenes: 1, personas: 1 } });
  await expect(
    runFixture({ conditions: "none", out, settings: { turnCap: 3 }, extra: { scenes: 1, personas: 1 } }),
  ).rejects.toThrow(/turnCap was 5, now 3.*another --out/);
});

test("adding a condition later reuses the done ones and judges the new pairs", async () => {
  const out = tempOut();
  await runFixture({ conditions: "golden", out, extra: { scenes: 2 } });
  const second = await runFixture({ conditions: "golden,learning:1", out, extra: { scenes: 2 } });
  expect(second.result.scenesRun).toBe(4);
  expect(second.result.scenesSkipped).toBe(4);
  expect(readLog(out).pairwise()).toHaveLength(8);
  const summary = second.result.summary.conditions.find((c) => c.condition === "learning:1")!;
  expect(summary.winRate).toMatchObject({ judgments: 8, unreadable: 0, failed: 0, overall: { n: 2 } });
});

test("a failing pairwise judgment is recorded and reported, and a rerun makes it", async () => {
  const out = tempOut();
  const judge: RoleScript = (call) => {
    if (messageText(call.messages[0]).startsWith("You compare two AI assistants")) throw new Error("judge endpoint down");
    return defaultScript(call);
  };
  const first = await runFixture({ conditions: "golden,learning:3", out, scripts: { judge }, extra: { personas: 1, scenes: 2 } });
  expect(first.result.failures).toBe(4);
  expect(readLog(out).records.filter((r) => r.type === "pairwise-error")).toHaveLength(4);
  expect(first.result.markdown).toMatch(/- learning:3 win rate\*: judge: 4 of 4 pairwise judgments failed\n/);
  expect(first.result.markdown).not.toMatch(/helpfulness.*\*: judge/);
  expect(first.result.summary.breaches).toEqual([expect.objectContaining({ condition: "learning:3", role: "judge", kind: "failure", count: 4, of: 7 })]);
  const second = await runFixture({ conditions: "golden,learning:3", out, extra: { personas: 1, scenes: 2 } });
  expect(second.result.failures).toBe(0);
  expect(readLog(out).pairwise()).toHaveLength(4);
  expect(second.result.markdown).not.toMatch(/pairwise judgments failed/);
  expect(second.result.summary.conditions.find((c) => c.condition === "learning:3")!.winRate).toMatchObject({ judgments: 4, failed: 0 });
});
