import {
  parseConditions,
  DEFAULT_EPISODE_SETTINGS,
  episodeSettingsFor,
  estimateRun,
  formatEstimate,
  PROTOCOLS,
} from "../../src/bench.js";
import { runFixture, FIXTURE } from "./helpers/runFixture.js";

// The fixture: maya-chen has 7 scenes, 陈静 4.
test("the dry run counts calls from the data, including pairwise judging, and matches a run that takes one turn per scene", async () => {
  const conditions = parseConditions("none,golden,learning:3");
  const estimate = estimateRun({ data: FIXTURE, conditions, settings: DEFAULT_EPISODE_SETTINGS });
  expect(estimate).toMatchObject({ personas: 2, scenes: 11, repeats: 1, turnCap: 5 });
  // Judge: 11 first replies × 3 conditions, 2 similarity (learning episodes), 2 orders × 11 learning scenes.
  expect(estimate.judgeCalls).toEqual({ firstReply: 33, similarity: 2, pairwise: 22 });
  expect(estimate.calls.judge.typical).toBe(57);
  // Learner: floor(7 / 3) + floor(4 / 3) runs.
  expect(estimate.calls.learner.typical).toBe(3);
  expect(estimate.calls.user).toEqual({ atOneTurn: 33, typical: 66, atCap: 165 });
  expect(estimate.tokens.prompt).toBeGreaterThan(10000);

  // The golden condition on the mock takes exactly one turn per scene: its calls match the one-turn column.
  const golden = estimateRun({ data: FIXTURE, conditions: parseConditions("golden"), settings: DEFAULT_EPISODE_SETTINGS });
  const run = await runFixture({ conditions: "golden" });
  const measured = run.result.summary.conditions[0].cost;
  expect(measured.user!.calls).toBe(golden.calls.user.atOneTurn);
  expect(measured.judge!.calls).toBe(golden.calls.judge.atOneTurn);
  expect(measured.chatbot!.calls).toBeGreaterThanOrEqual(golden.calls.chatbot.atOneTurn);
  expect(measured.chatbot!.calls).toBeLessThanOrEqual(golden.calls.chatbot.typical);

  const lines = formatEstimate(estimate).join("\n");
  expect(lines).toMatch(/^dry run: 2 personas, 11 scenes, conditions none,golden,learning:3, repeats 1; no model is called/);
  expect(lines).toContain("judge calls: 33 first-reply, 2 similarity, 22 pairwise (both orders)");
});

test("repeats multiply the calls; the release schedule changes the learner's", () => {
  const conditions = parseConditions("golden,learning:3");
  const once = estimateRun({ data: FIXTURE, conditions, settings: DEFAULT_EPISODE_SETTINGS });
  const thrice = estimateRun({ data: FIXTURE, conditions, repeats: 3, settings: DEFAULT_EPISODE_SETTINGS });
  expect(thrice.total.typical).toBe(3 * once.total.typical);
  const release = estimateRun({ data: FIXTURE, conditions, settings: episodeSettingsFor(PROTOCOLS.release) });
  // Release, k = 3: maya-chen learns after 3, 5, 6, 7; 陈静 after 2, 3, 4.
  expect(release.calls.learner.typical).toBe(7);
  expect(release.calls.user.atCap).toBe(2 * 11 * 3);
});
