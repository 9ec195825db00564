import { join } from "node:path";
import { exitReasons } from "../../src/cli/bench.js";
import { consoleTable, loadPersonaBench } from "../../src/bench.js";
import { ResultsLog } from "../../src/bench/results.js";
import { messageText } from "../../src/render.js";
import { defaultScript, type RoleScript } from "./helpers/roleModels.js";
import { FIXTURE, runFixture, tempOut } from "./helpers/runFixture.js";

const [maya, chen] = loadPersonaBench(FIXTURE).personas;
const SCENES = maya.scenes.length + chen.scenes.length;
const http500: RoleScript = () => {
  throw new Error("500 Internal Server Error");
};

describe("a learner endpoint that answers HTTP 500 on every call", () => {
  let run: Awaited<ReturnType<typeof runFixture>>;
  beforeAll(async () => {
    run = await runFixture({ conditions: "golden,learning:1", scripts: { learner: http500 } });
  });

  // One learning run per ended scene (k = 1); failed runs leave their sessions waiting for the next one.
  const learnerCalls = () => run.calls.filter((c) => c.role === "learner").length;

  test("every learning run is counted as failed, for the role and in the learning section", () => {
    const n = learnerCalls();
    expect(n).toBe(SCENES);
    const learning = run.result.summary.conditions.find((c) => c.condition === "learning:1")!;
    expect(learning.learning).toMatchObject({ runs: n, failed: n, applied: 0, changesApplied: 0 });
    expect(learning.roles.learner).toMatchObject({ calls: n, failed: n, failureRate: 1 });
    expect(run.result.markdown).toContain(`| learning:1 | ${n} | 0 | 0 | 0 | 0 | ${n} | 0 | 0 | 0 |`);
  });

  test("similarity is judged by a judge call, and every learning figure is marked with the learner's failures", () => {
    const similarityCalls = run.calls.filter((c) => c.role === "judge" && messageText(c.messages[0]).startsWith("You compare a persona"));
    expect(similarityCalls).toHaveLength(2);
    const learning = run.result.summary.conditions.find((c) => c.condition === "learning:1")!;
    expect(learning.similarity).toMatchObject({ judged: 2, unreadable: 0, missing: 0 });
    for (const figure of ["turns", "satisfied", "helpfulness", "personalization", "similarity", "winRate"] as const) {
      expect(learning.problems[figure]).toContain(`learner: ${learnerCalls()} of ${learnerCalls()} calls failed`);
    }
    const golden = run.result.summary.conditions.find((c) => c.condition === "golden")!;
    expect(golden.problems).toEqual({});
    expect(run.result.markdown).toContain(`- learning:1 turns, satisfied, helpfulness, personalization, similarity, win rate*: learner: ${learnerCalls()} of ${learnerCalls()} calls failed`);
  });

  test("the run breaches --max-failure-rate: the console says so and the command exits non-zero", () => {
    const n = learnerCalls();
    expect(run.result.summary.breaches).toEqual([{ condition: "learning:1", role: "learner", kind: "failure", rate: 1, count: n, of: n }]);
    const text = consoleTable(run.result.summary).join("\n");
    expect(text).toMatch(/^learning:1 .*\*/m);
    expect(text).toContain(`learning:1: learner failure rate 100% (${n} of ${n} calls) is above 5%`);
    expect(exitReasons(run.result.summary, run.result)).toEqual(["failure or unreadable rate above 5% for learner (learning:1)"]);
  });
});

describe("an endpoint whose simulated-user and judge replies are all unreadable", () => {
  let run: Awaited<ReturnType<typeof runFixture>>;
  const garbage: RoleScript = () => "I am not sure what you mean.";
  beforeAll(async () => {
    run = await runFixture({ conditions: "none,golden,learning:3", scripts: { user: garbage, judge: garbage }, extra: { personas: 1, scenes: 3 } });
  });

  test("no figure is shown for unreadable scenes: they leave the denominators and are counted", () => {
    for (const c of run.result.summary.conditions) {
      expect(c).toMatchObject({ scenes: 3, scenesUnreadable: 3, judgeUnreadable: 3 });
      expect(c.satisfied.mean).toBeNull();
      expect(c.turns.mean).toBeNull();
      expect(c.helpfulness.mean).toBeNull();
      expect(c.roles.user).toMatchObject({ unreadable: 3, outcomes: 3 });
    }
    expect(run.result.markdown).toMatch(/\| none \| 1 \| 3\/3 \| –\* \| –\* \| –\* \| –\* \| – \| – \|/);
    expect(run.result.markdown).toContain("3 scenes with an unreadable simulated-user decision (left out of turns and satisfied)");
    // Each unreadable reply got its one retry: two calls per decision and per verdict.
    expect(run.calls.filter((c) => c.role === "user")).toHaveLength(2 * 9);
  });

  test("the user's and judge's unreadable rates breach the threshold under every condition", () => {
    const breaches = run.result.summary.breaches.map((b) => `${b.condition} ${b.role} ${b.kind}`);
    expect(breaches).toEqual(expect.arrayContaining(["none user unreadable", "none judge unreadable", "golden user unreadable", "learning:3 judge unreadable"]));
    expect(exitReasons(run.result.summary, run.result)[0]).toMatch(/^failure or unreadable rate above 5% for user \(none\), judge \(none\)/);
  });
});

test("a judge endpoint that fails records failed verdicts without stopping episodes; a rerun judges them", async () => {
  const out = tempOut();
  const first = await runFixture({ conditions: "learning:1", out, scripts: { judge: http500 }, extra: { personas: 1, scenes: 2 } });
  const [c] = first.result.summary.conditions;
  expect(c.scenes).toBe(2);
  expect(c.helpfulness.mean).toBeNull();
  expect(c.problems.helpfulness).toEqual(["judge: 2 of 2 first-reply verdicts failed"]);
  expect(c.problems.similarity).toEqual(["judge: 1 of 1 similarity verdicts failed"]);
  expect(c.roles.judge).toMatchObject({ calls: 3, failed: 3 });
  const second = await runFixture({ conditions: "learning:1", out, extra: { personas: 1, scenes: 2 } });
  const [again] = second.result.summary.conditions;
  expect(second.result.scenesRun).toBe(0);
  expect(again.helpfulness.n).toBe(1);
  expect(again.similarity).toMatchObject({ judged: 1 });
  expect(again.problems).toEqual({});
  // The failed calls stay in the cost: the latest record carries the scene's calls plus the retry.
  expect(again.roles.judge).toMatchObject({ calls: 6, failed: 3 });
});

test("rerunning a folder with another --scenes gives one similarity figure per persona, judged as the persona was after that scene", async () => {
  const out = tempOut();
  await runFixture({ conditions: "learning:1", out, extra: { scenes: 4 } });
  const second = await runFixture({ conditions: "learning:1", out, extra: { scenes: 2 } });
  const [c] = second.result.summary.conditions;
  expect(second.result.scenesRun).toBe(0);
  expect(c.similarity).toMatchObject({ judged: 2, missing: 0, overall: { n: 2 } });
  const episodes = new ResultsLog(join(out, "results.jsonl")).episodes();
  expect(episodes.map((e) => `${e.personaId} ${e.scenes} v${e.personaVersion}`).sort()).toEqual([
    "maya-chen 2 v2", "maya-chen 4 v4", "陈静 2 v2", "陈静 4 v4",
  ]);
  const third = await runFixture({ conditions: "learning:1", out, extra: { scenes: 4 } });
  expect(third.result.summary.conditions[0].similarity).toMatchObject({ judged: 2, overall: { n: 2 } });
});

// A scene cut off mid-way (here: the chatbot's endpoint drops on scene 2's second turn) leaves its
// session behind, as a hard kill does. It must not count toward k when the episode resumes.
test("resume after a hard kill does not shift k", async () => {
  const out = tempOut();
  let cut = false;
  const dropsOnce: RoleScript = (call) => {
    const humans = call.messages.filter((m) => m.getType() === "human");
    if (!cut && humans.length === 2 && messageText(humans[0]) === maya.scenes[1].neutralizedQuery) {
      cut = true;
      throw new Error("socket hang up");
    }
    return defaultScript(call);
  };
  // The user is never satisfied on the first reply, so every scene has a second turn.
  await runFixture({ conditions: "learning:3", out, scripts: { chatbot: dropsOnce }, extra: { personas: 1, scenes: 6 } });
  const resumed = await runFixture({ conditions: "learning:3", out, extra: { personas: 1, scenes: 6 } });
  const scenes = new ResultsLog(join(out, "results.jsonl")).scenes();
  const threads = new Map(scenes.map((s) => [s.sceneIndex, s.threadId]));
  const runs = scenes.filter((s) => s.learning).map((s) => ({ at: s.sceneIndex, sessions: s.learning!.sessionIds }));
  expect(runs.map((r) => r.at)).toEqual([3, 6]);
  expect(runs[0].sessions).toEqual([threads.get(1), threads.get(2), threads.get(3)]);
  expect(runs[1].sessions).toEqual([threads.get(4), threads.get(5), threads.get(6)]);
  expect(resumed.result.failures).toBe(0);
});
