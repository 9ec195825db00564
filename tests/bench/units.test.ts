import { Writable } from "node:stream";
import {
  parseConditions,
  resolveBenchModels,
  episodeSettingsFor,
  parseProtocol,
  PROTOCOLS,
  protocolTable,
} from "../../src/bench.js";
import { CostMeter, addCosts } from "../../src/bench/cost.js";
import { frozenGroupPolicies, releaseLearningDue } from "../../src/bench/episode.js";
import { runPool } from "../../src/bench/pool.js";
import { Progress } from "../../src/bench/progress.js";
import { bm25Search, tokenize } from "../../src/bench/retrieval.js";
import { apiArgumentsSchema } from "../../src/bench/toolSimulator.js";
import { RoleScriptedModel } from "./helpers/roleModels.js";

test("conditions parse, dedupe and reject unknown names with the valid list", () => {
  expect(parseConditions("none, golden,learning,learning:3,learning:5,full-history,rag").map((c) => c.id)).toEqual([
    "none", "golden", "learning:3", "learning:5", "full-history", "rag",
  ]);
  expect(() => parseConditions("gold")).toThrow(/unknown condition "gold": use none, golden, learning:<k>/);
  expect(() => parseConditions("learning:0")).toThrow(/unknown condition/);
  expect(() => parseConditions(" , ")).toThrow(/no conditions/);
});

test("BM25 retrieval ranks by shared terms, handles Chinese by bigrams, and returns nothing without overlap", () => {
  expect(tokenize("Sea kayak 天气预报")).toEqual(["sea", "kayak", "天气", "气预", "预报"]);
  const docs = [
    { id: "a", text: "User: what is the weather in Suzhou on Saturday" },
    { id: "b", text: "User: recommend a dry suit for kayaking in cold water" },
    { id: "c", text: "User: 周六苏州的天气怎么样" },
  ];
  expect(bm25Search("dry suit for cold water", docs, 2).map((d) => d.id)).toEqual(["b"]);
  expect(bm25Search("苏州天气", docs, 2).map((d) => d.id)).toEqual(["c"]);
  expect(bm25Search("weather kayaking", docs, 1)).toHaveLength(1);
  expect(bm25Search("zebra", docs, 2)).toEqual([]);
});

test("role endpoints: flag, then BENCH_<ROLE>_*, then OPENAI_*; the learner follows the chatbot", () => {
  const env = {
    OPENAI_BASE_URL: "http://default/v1",
    BENCH_CHATBOT_MODEL: "bot",
    BENCH_CHATBOT_BASE_URL: "http://bot/v1",
    BENCH_JUDGE_API_KEY: "sk-judge",
    BENCH_JUDGE_BASE_URL: "http://judge/v1",
  };
  const settings = resolveBenchModels({ user: { model: "flag-user" } }, env);
  expect(settings.chatbot).toMatchObject({ model: "bot", baseURL: "http://bot/v1" });
  expect(settings.learner).toMatchObject({ model: "bot", baseURL: "http://bot/v1" });
  expect(settings.user).toMatchObject({ model: "flag-user", baseURL: "http://default/v1" });
  expect(settings.judge).toMatchObject({ baseURL: "http://judge/v1", apiKey: "sk-judge", temperature: 0 });
  expect(settings.tool).toMatchObject({ model: "gpt-4o-mini", temperature: 0 });
  expect(() => resolveBenchModels({}, {})).toThrow(/no endpoint for the chatbot model: set BENCH_CHATBOT_BASE_URL/);
  const tuned = resolveBenchModels({}, { ...env, BENCH_JUDGE_TEMPERATURE: "default", BENCH_USER_TEMPERATURE: "0.7" });
  expect(tuned.judge.temperature).toBeUndefined();
  expect(tuned.user.temperature).toBe(0.7);
  expect(() => resolveBenchModels({}, { ...env, BENCH_TOOL_TEMPERATURE: "hot" })).toThrow(/BENCH_TOOL_TEMPERATURE must be a number/);
  // The release protocol's simulated-user temperature is a default: BENCH_USER_TEMPERATURE still wins.
  const release = { temperatures: { user: PROTOCOLS.release.userTemperature! } };
  expect(resolveBenchModels({}, env, release).user.temperature).toBe(0.9);
  expect(resolveBenchModels({}, { ...env, BENCH_USER_TEMPERATURE: "0.2" }, release).user.temperature).toBe(0.2);
  expect(resolveBenchModels({}, env, release).judge.temperature).toBe(0);
});

test("the cost meter counts failed calls per role, even when the caller swallows the error", async () => {
  const meter = new CostMeter();
  const failing = new RoleScriptedModel("learner", () => {
    throw new Error("HTTP 500 from the learner endpoint");
  }, [], [meter.handler("learner")]);
  await expect(failing.invoke("hi")).rejects.toThrow(/HTTP 500/);
  await failing.invoke("again").catch(() => undefined);
  expect(meter.lastFailure).toEqual({ role: "learner", error: "HTTP 500 from the learner endpoint" });
  expect(meter.take().learner).toMatchObject({ calls: 2, failed: 2, promptTokens: 0 });
});

test("protocols: the release preset's settings, side by side with the default", () => {
  expect(PROTOCOLS.release).toEqual({
    name: "release",
    turnCap: 3,
    userTemperature: 0.9,
    learningStart: "golden",
    frozenGroups: ["Demographics"],
    schedule: "release",
    window: { sessions: 3, messages: 9 },
    sceneToChatbot: true,
    satisfaction: "reference",
  });
  expect(PROTOCOLS.default).toMatchObject({ turnCap: 5, learningStart: "empty", frozenGroups: [], schedule: "every-k", sceneToChatbot: false, satisfaction: "expected-response" });
  expect(PROTOCOLS.default.userTemperature).toBeUndefined();
  expect(episodeSettingsFor(PROTOCOLS.release)).toMatchObject({ turnCap: 3, sceneToChatbot: true, protocol: "release" });
  expect(episodeSettingsFor(PROTOCOLS.release, { turnCap: 2, ragTop: undefined })).toMatchObject({ turnCap: 2, ragTop: 2 });
  expect(() => parseProtocol("paper")).toThrow(/unknown protocol "paper": use default or release/);
  // The release learns after scene n when k divides n, and in the last three scenes: k = 3, 10 scenes → 3, 6, 8, 9, 10.
  expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((n) => releaseLearningDue(n, 3, 10))).toEqual([3, 6, 8, 9, 10]);
  expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((n) => releaseLearningDue(n, 5, 10))).toEqual([5, 8, 9, 10]);
  const frozen = frozenGroupPolicies(["Demographics"]);
  expect(Object.keys(frozen).sort()).toEqual(["Demographics.Age", "Demographics.Career_Information", "Demographics.Gender", "Demographics.Language", "Demographics.Name", "Demographics.Nationality"]);
  expect(Object.values(frozen).every((p) => p.frozen === true)).toBe(true);
  expect(protocolTable().map((row) => row.setting)).toEqual([
    "chatbot replies per scene", "simulated-user temperature", "learning starts from", "learning schedule", "learning window", "chatbot sees the scene", "user is satisfied when",
  ]);
});

test("the cost meter counts calls and usage per role through the model's own callbacks", async () => {
  const meter = new CostMeter();
  const model = new RoleScriptedModel("user", () => "hello there", [], [meter.handler("user")]);
  await model.invoke("hi");
  await model.invoke("hi again");
  const cost = meter.take();
  expect(cost.user).toMatchObject({ calls: 2, failed: 0, callsWithoutUsage: 0 });
  expect(cost.user!.promptTokens).toBeGreaterThan(0);
  expect(meter.take()).toEqual({});
  expect(addCosts(cost, cost).user!.calls).toBe(4);
});

test("API arguments become optional tool fields", () => {
  const schema = apiArgumentsSchema({ name: "f", toolName: "f", arguments: ["city", "date"], description: "" });
  expect(schema.parse({ city: "Suzhou", date: 3 })).toEqual({ city: "Suzhou", date: 3 });
  expect(schema.parse({})).toEqual({});
  expect(schema.safeParse({ city: { nested: true } }).success).toBe(false);
});

test("the pool never exceeds its concurrency and stops taking work when told", async () => {
  let active = 0;
  let peak = 0;
  const seen: number[] = [];
  await runPool([1, 2, 3, 4, 5, 6], 2, async (n) => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 5));
    seen.push(n);
    active--;
  });
  expect(peak).toBe(2);
  expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6]);
  const started: number[] = [];
  await runPool([1, 2, 3], 1, async (n) => void started.push(n), () => started.length >= 1);
  expect(started).toEqual([1]);
});

test("progress: a bar redrawn in place on a terminal, plain lines otherwise", () => {
  const capture = (tty: boolean) => {
    let text = "";
    const stream = Object.assign(new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }), { isTTY: tty, columns: 80 });
    const progress = new Progress(4, stream, "scenes");
    progress.skip(1);
    progress.tick("a #2");
    progress.tick("b #3", false);
    progress.end();
    return text;
  };
  expect(capture(false)).toBe("[2/4] a #2\n[3/4] FAILED b #3\n");
  const bar = capture(true);
  expect(bar).toMatch(/\r\x1b\[K\[#{12}-{12}\] 2\/4 scenes/);
  expect(bar).toMatch(/3\/4 scenes, 1 failed/);
});
