import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exitReasons } from "../../../src/cli/bench.js";
import { JsonlLog } from "../../../src/bench/results.js";
import { prefEvalConsoleTable } from "../../../src/bench/prefeval/report/consoleTable.js";
import type { PrefEvalFailure, PrefEvalItemResult, PrefEvalRecord } from "../../../src/bench/prefeval/results.js";
import { GOLDEN_PREFERENCE_FIELD } from "../../../src/bench/prefeval/runItem.js";
import { loadPrefEval } from "../../../src/bench/prefeval/data/loadPrefEval.js";
import { messageText } from "../../../src/render.js";
import { openSqlitePersistence, PersonaMemory } from "../../../src/index.js";
import { SEMANTIC_GUARD_TOOL } from "../../../src/guard.js";
import { UPDATE_PERSONA_TOOL } from "../../../src/learning.js";
import { defaultScript, systemOf, type RoleCall, type RoleScript } from "../helpers/roleModels.js";
import { checkOf, FIXTURE, runPrefEvalFixture } from "./helpers.js";

// One item per form (topic "cooking", first item), two filler counts.
const SELECTION = { topics: ["cooking"], items: 1, fillers: [0, 2] };
const loaded = loadPrefEval(FIXTURE);
const item = (id: string) => loaded.items.find((i) => i.id === id)!;
const EXPLICIT = item("explicit/cooking/1");
const CHOICE = item("choice/cooking/1");
const PERSONA = item("persona/cooking/1");

const records = (out: string) => new JsonlLog<PrefEvalRecord>(join(out, "results.jsonl"), { readOnly: true }).records;
const results = (out: string) => records(out).filter((r): r is PrefEvalItemResult => r.type === "prefeval-item");
const humanTexts = (call: RoleCall) => call.messages.filter((m) => m.getType() === "human").map((m) => messageText(m));
const chatbotCalls = (calls: RoleCall[]) => calls.filter((c) => c.role === "chatbot");
const questionCall = (calls: RoleCall[], question: string) => chatbotCalls(calls).filter((c) => humanTexts(c).at(-1)!.endsWith(question));

describe("one item per form under every condition, scripted models", () => {
  let run: Awaited<ReturnType<typeof runPrefEvalFixture>>;
  beforeAll(async () => {
    run = await runPrefEvalFixture({ options: SELECTION });
  });

  test("every place is run once: 3 conditions × 2 filler counts + none and golden once, per item", () => {
    expect(run.result).toMatchObject({ itemsRun: 24, itemsSkipped: 0, failures: 0, interrupted: false });
    const places = results(run.out).map((r) => `${r.condition} ${r.itemId} ${r.fillers}`);
    expect(new Set(places).size).toBe(24);
    expect(places).toEqual(expect.arrayContaining(["none explicit/cooking/1 null", "golden persona/cooking/1 null", "persona choice/cooking/1 2", "reminder persona/cooking/1 0"]));
    expect(records(run.out).filter((r) => r.type === "prefeval-error")).toEqual([]);
  });

  test("recorded exchanges and fillers are replayed without a chatbot call; the explicit statement is answered", () => {
    // 24 questions + the explicit statement of each persona / in-context / reminder run (2 filler counts).
    expect(chatbotCalls(run.calls)).toHaveLength(24 + 3 * 2);
    const statements = chatbotCalls(run.calls).filter((c) => humanTexts(c).length === 1 && humanTexts(c)[0] === EXPLICIT.preference);
    expect(statements).toHaveLength(6);
    for (const r of results(run.out).filter((r) => r.session1)) {
      const expected = (r.form === "explicit" ? 1 : r.form === "choice" ? 2 : PERSONA.turns.length) + r.fillers!;
      expect(r.session1).toMatchObject({ exchanges: expected, replayed: r.form === "explicit" ? expected - 1 : expected });
      expect(r.session1!.generated).toHaveLength(r.form === "explicit" ? 1 : 0);
    }
  });

  test("in-context asks in session 1's thread: the chatbot sees the preference, the exchanges and the first F fillers", () => {
    const calls = questionCall(run.calls, CHOICE.question).filter((c) => humanTexts(c).length > 1);
    // in-context and reminder, F = 0 and F = 2.
    expect(calls).toHaveLength(4);
    const atTwo = calls.find((c) => humanTexts(c).length === 2 + 2 + 1 && !humanTexts(c).at(-1)!.includes(CHOICE.preference))!;
    expect(humanTexts(atTwo)).toEqual([CHOICE.turns[0].user, CHOICE.turns[1].user, "What is the capital of Australia?", "And its largest city?", CHOICE.question]);
    const replies = atTwo.messages.filter((m) => m.getType() === "ai").map((m) => messageText(m));
    expect(replies).toEqual([CHOICE.turns[0].assistant, CHOICE.turns[1].assistant, "Canberra.", "Sydney."]);
    const reminder = results(run.out).find((r) => r.condition === "reminder" && r.itemId === CHOICE.id && r.fillers === 2)!;
    expect(reminder.message).toBe(`Before you answer, keep in mind what I told you earlier: ${CHOICE.preference}\n\n${CHOICE.question}`);
    expect(reminder.threads.question).toBe(reminder.threads.session1);
    expect(reminder.learning).toBeUndefined();
  });

  test("persona learns from session 1 and answers in a new thread; none and golden answer in a new thread only", () => {
    const persona = results(run.out).filter((r) => r.condition === "persona");
    expect(persona).toHaveLength(6);
    for (const r of persona) {
      expect(r.threads.question).not.toBe(r.threads.session1);
      expect(r.learning).toMatchObject({ outcome: "applied", applied: 1 });
      expect(r.personaVersion).toBe(1);
      expect(r.persona).toEqual({ Pattern: { Usage_Pattern: expect.stringMatching(/^Asks about: /) } });
    }
    // The learner read session 1, preference first.
    const learner = run.calls.filter((c) => c.role === "learner");
    expect(learner).toHaveLength(6);
    expect(learner.every((c) => c.tools.some((t) => t.function.name === UPDATE_PERSONA_TOOL))).toBe(true);
    expect(learner.filter((c) => messageText(c.messages.at(-1)!).includes(`User: ${EXPLICIT.preference}`))).toHaveLength(2);
    // The question's call sees only the question, with the learned persona (or the golden preference) in the system prompt.
    const none = questionCall(run.calls, EXPLICIT.question).filter((c) => humanTexts(c).length === 1);
    expect(none).toHaveLength(2 + 1 + 1);
    expect(none.filter((c) => systemOf(c).includes("<user_persona>"))).toHaveLength(3);
    expect(none.filter((c) => systemOf(c).includes(EXPLICIT.preference))).toHaveLength(1);
    const golden = results(run.out).find((r) => r.condition === "golden" && r.itemId === EXPLICIT.id)!;
    expect(golden.persona).toEqual({ Preference: { Preferred_Workflows: EXPLICIT.preference } });
    expect(GOLDEN_PREFERENCE_FIELD).toBe("Preference.Preferred_Workflows");
    const noneRecord = results(run.out).find((r) => r.condition === "none" && r.itemId === EXPLICIT.id)!;
    expect(noneRecord).toMatchObject({ persona: {}, personaVersion: 0, fillers: null });
    expect(noneRecord.session1).toBeUndefined();
  });

  test("the judge asks the four checks (hallucination only after an acknowledgment) and the stored-preference check for persona", () => {
    const judge = run.calls.filter((c) => c.role === "judge");
    const count = (check: string) => judge.filter((c) => checkOf(c) === check).length;
    expect(count("violates")).toBe(24);
    expect(count("acknowledges")).toBe(24);
    expect(count("helpful")).toBe(24);
    // The mock chatbot marks replies that used what it knew: all but none's three.
    expect(count("hallucinates")).toBe(21);
    expect(count("stored")).toBe(6);
    const r = results(run.out).find((x) => x.condition === "in-context" && x.itemId === PERSONA.id && x.fillers === 0)!;
    expect(r.judgment).toMatchObject({
      violates: { status: "ok", value: { answer: "no" } },
      acknowledges: { status: "ok", value: { answer: "yes", restated: expect.any(String) } },
      hallucinates: { status: "ok", value: { answer: "no" } },
      helpful: { status: "ok", value: { answer: "yes" } },
    });
  });

  test("the summary: accuracy per condition and filler count, error types, the stored-preference split", () => {
    const summary = run.result.summary;
    const byCondition = Object.fromEntries(summary.conditions.map((c) => [c.condition, c]));
    expect(byCondition.none).toMatchObject({ planned: 3, recorded: 3, judged: 3, accuracy: { mean: 0, n: 3 }, errors: { "unaware-violation": 3, unhelpful: 0 } });
    for (const c of ["persona", "in-context", "reminder"]) expect(byCondition[c]).toMatchObject({ planned: 6, recorded: 6, judged: 6, accuracy: { mean: 1, n: 3 } });
    expect(byCondition.golden).toMatchObject({ planned: 3, judged: 3, accuracy: { mean: 1 } });
    expect(byCondition.persona.stored).toMatchObject({
      judged: 6,
      empty: 0,
      byForm: { explicit: { mean: 1 }, choice: { mean: 0 }, persona: { mean: 0 } },
      crossTab: { storedAndFollowed: 2, storedNotFollowed: 0, notStoredFollowed: 4, notStoredNotFollowed: 0 },
    });
    expect(byCondition.persona.vsNone!["2"]).toMatchObject({ mean: 1, n: 3 });
    expect(byCondition.persona.learning).toMatchObject({ runs: 6, applied: 6, failedRuns: 0, guard: { runs: 0 } });
    expect(summary.breaches).toEqual([]);
    expect(summary.conditions.every((c) => c.problems.length === 0)).toBe(true);
    const cell = summary.cells.find((c) => c.condition === "persona" && c.form === "choice" && c.topic === "all" && c.fillers === 2)!;
    expect(cell).toMatchObject({ judged: 1, accuracy: { mean: 1, n: 1 } });
    const text = prefEvalConsoleTable(summary).join("\n");
    expect(text).toMatch(/^none\s+3\/3\s+3\s+0% \[0%, 0%\]\s+0% \[0%, 0%\]\s+0% \[0%, 0%\]$/m);
    expect(text).toMatch(/^persona\s+6\/6\s+6\s+100% \[100%, 100%\]/m);
  });

  test("report, stored personas and charts are written", () => {
    expect(run.result.files).toEqual(
      expect.arrayContaining(["report.md", "summary.json", "stored-personas.md", "accuracy-by-fillers.png", "error-types.svg", "stored-preference.vl.json"]),
    );
    expect(run.result.chartError).toBeUndefined();
    const stored = readFileSync(join(run.out, "stored-personas.md"), "utf8");
    expect(stored).toContain(`| explicit/cooking/1 | 2 | applied | yes | Pattern.Usage_Pattern: Asks about: ${EXPLICIT.preference.slice(0, 40)}`);
    expect(run.result.markdown).toContain("| none | any | 3 | 0 (0%) | 0 (0%) | 0 (0%) | 3 (100%) | 0 | 0 |");
  });
});

const fail: RoleScript = () => {
  throw new Error("503 Service Unavailable");
};
const garbage: RoleScript = () => "I would rather not say.";

describe("a learner that fails and a judge that answers unreadably", () => {
  test("a failing learner: every persona run is an item failure (stage learning, role learner), never a figure", async () => {
    const run = await runPrefEvalFixture({ conditions: "none,persona", scripts: { learner: fail }, options: SELECTION });
    const failures = records(run.out).filter((r): r is PrefEvalFailure => r.type === "prefeval-error");
    expect(failures).toHaveLength(6);
    expect(failures.every((f) => f.condition === "persona" && f.stage === "learning" && f.role === "learner")).toBe(true);
    expect(failures[0].error).toMatch(/^learning failed: .*503 Service Unavailable/);
    // No question was asked after a failed learning run: only none's questions and the explicit statements.
    expect(chatbotCalls(run.calls)).toHaveLength(3 + 2);
    const persona = run.result.summary.conditions.find((c) => c.condition === "persona")!;
    expect(persona).toMatchObject({ recorded: 0, planned: 6, judged: 0, accuracy: { mean: null } });
    expect(persona.failures).toHaveLength(6);
    expect(persona.learning).toMatchObject({ runs: 0, failedRuns: 6 });
    expect(persona.roles.learner).toMatchObject({ calls: 6, failed: 6, failureRate: 1 });
    expect(persona.problems).toEqual(["learner: 6 of 6 calls failed", "6 of 6 item runs not recorded"]);
    expect(run.result.failures).toBe(6);
    expect(run.result.summary.breaches).toEqual([{ condition: "persona", role: "learner", kind: "failure", rate: 1, count: 6, of: 6 }]);
    expect(exitReasons(run.result.summary, run.result)).toEqual([
      "6 failures (recorded in results.jsonl; rerun the same command to retry them)",
      "failure or unreadable rate above 5% for learner (persona)",
    ]);
    expect(prefEvalConsoleTable(run.result.summary).join("\n")).toMatch(/^persona\s+0\/6\s+0\s+–\*\s+–\*\s+–\*$/m);
    expect(run.result.markdown).toContain("- persona: 6 item runs failed: explicit/cooking/1 (F = 0) at learning (learner): learning failed:");
  });

  test("a judge whose replies cannot be read: each check retried once, the reply left out and counted, the rate breaches", async () => {
    const run = await runPrefEvalFixture({ conditions: "none,golden", scripts: { judge: garbage }, options: SELECTION });
    const judge = run.calls.filter((c) => c.role === "judge");
    // 6 replies × 3 checks (nothing acknowledged, so no hallucination check) × 2 attempts.
    expect(judge).toHaveLength(6 * 3 * 2);
    for (const c of run.result.summary.conditions) {
      expect(c).toMatchObject({ recorded: 3, judged: 0, unreadable: 3, accuracy: { mean: null } });
      expect(c.roles.judge).toMatchObject({ calls: 18, outcomes: 9, unreadable: 9, unreadableRate: 1 });
      expect(c.problems).toContain("judge: 9 of 9 replies unreadable");
    }
    const r = results(run.out)[0];
    expect(r.judgment!.helpful).toMatchObject({ status: "malformed", attempts: 2, raw: "I would rather not say." });
    expect(run.result.summary.breaches.map((b) => `${b.condition} ${b.role} ${b.kind}`)).toEqual(["none judge unreadable", "golden judge unreadable"]);
    expect(run.result.markdown).not.toMatch(/\| none \| 3\/3 \| 0 \| 0%/);
    expect(run.result.markdown).toContain("| none | 3/3 | 0 | –* | –* | –* |");
  });

  test("only the checks the outcome needs must be readable: an unhelpful reply is judged without the other checks", async () => {
    // Helpfulness "no"; violation unreadable: the reply is still judged unhelpful.
    const judge: RoleScript = (call) => (checkOf(call) === "helpful" ? '{"answer": "no", "reason": "declines"}' : checkOf(call) === "violates" ? "??" : '{"answer": "no"}');
    const run = await runPrefEvalFixture({ conditions: "none", scripts: { judge }, options: SELECTION });
    const none = run.result.summary.conditions[0];
    expect(none).toMatchObject({ judged: 3, unreadable: 0, accuracy: { mean: 0 }, errors: { unhelpful: 3 } });
    // The unreadable violation verdicts still count against the judge's rate and mark the figure.
    expect(none.roles.judge).toMatchObject({ unreadable: 3, outcomes: 9 });
    expect(none.problems).toContain("judge: 3 of 9 replies unreadable");
  });
});

describe("the semantic guard", () => {
  test("on: one guard call per learning run on the learner's model, counted as a learner call and reported", async () => {
    const run = await runPrefEvalFixture({ conditions: "persona", options: { ...SELECTION, fillers: [0], semanticGuard: true } });
    const learner = run.calls.filter((c) => c.role === "learner");
    expect(learner.filter((c) => c.tools.some((t) => t.function.name === SEMANTIC_GUARD_TOOL))).toHaveLength(3);
    expect(learner).toHaveLength(6);
    const persona = run.result.summary.conditions[0];
    expect(persona.roles.learner.calls).toBe(6);
    expect(persona.learning!.guard).toMatchObject({ runs: 3, calls: 3, accepted: 3, rejected: 0 });
    expect(run.result.markdown).toContain("Semantic guard: 3 runs, 3 calls (counted as learner calls), 3 changes accepted, 0 rejected");
    // A folder made with the guard on cannot be resumed with it off.
    await expect(runPrefEvalFixture({ conditions: "persona", out: run.out, options: { ...SELECTION, fillers: [0], semanticGuard: false } })).rejects.toThrow(
      /holds results made with other settings \(semantic guard was on, now off\)/,
    );
  });
});

describe("resuming", () => {
  test("a rerun skips what is done, retries failed items and failed judge calls, and adds new filler counts", async () => {
    let judgeUp = false;
    const flakyJudge: RoleScript = (call) => {
      if (!judgeUp && checkOf(call) === "helpful") throw new Error("502 Bad Gateway");
      return defaultScript(call);
    };
    let learnerUp = false;
    const flakyLearner: RoleScript = (call) => {
      if (!learnerUp) throw new Error("500 Internal Server Error");
      return defaultScript(call);
    };
    const first = await runPrefEvalFixture({ conditions: "none,persona", scripts: { judge: flakyJudge, learner: flakyLearner }, options: { ...SELECTION, fillers: [0] } });
    expect(first.result).toMatchObject({ itemsRun: 3, failures: 3 + 3 });
    expect(first.result.summary.conditions[0]).toMatchObject({ condition: "none", judgeFailed: 3, judged: 0 });

    judgeUp = true;
    learnerUp = true;
    const second = await runPrefEvalFixture({ conditions: "none,persona", out: first.out, scripts: { judge: flakyJudge, learner: flakyLearner }, options: { ...SELECTION, fillers: [0] } });
    // The three persona runs are retried; none's three are done, only their failed helpfulness check is asked again.
    expect(second.result).toMatchObject({ itemsRun: 3, itemsSkipped: 3, failures: 0 });
    // The persona runs' three questions and the explicit statement; none's questions are not asked again.
    expect(chatbotCalls(second.calls)).toHaveLength(3 + 1);
    const rejudged = second.calls.filter((c) => c.role === "judge" && checkOf(c) === "helpful");
    expect(rejudged).toHaveLength(3 + 3);
    const none = second.result.summary.conditions.find((c) => c.condition === "none")!;
    expect(none).toMatchObject({ judged: 3, judgeFailed: 0, failures: [] });
    const persona = second.result.summary.conditions.find((c) => c.condition === "persona")!;
    expect(persona).toMatchObject({ recorded: 3, failures: [], judged: 3 });
    // The re-judged record carries the first run's calls too.
    const latestNone = results(first.out).filter((r) => r.condition === "none" && r.itemId === EXPLICIT.id).at(-1)!;
    expect(latestNone.cost.judge!.calls).toBe(3 + 1);
    expect(latestNone.cost.judge!.failed).toBe(1);

    const third = await runPrefEvalFixture({ conditions: "none,persona", out: first.out, options: { ...SELECTION, fillers: [0, 2] } });
    expect(third.result).toMatchObject({ itemsRun: 3, itemsSkipped: 6, failures: 0 });
    expect(third.calls.filter((c) => c.role === "learner")).toHaveLength(3);
    expect(third.result.summary.conditions.find((c) => c.condition === "persona")).toMatchObject({ planned: 6, recorded: 6 });
  });

  test("an interrupted run records what finished; the rerun completes without duplicates", async () => {
    const controller = new AbortController();
    let answered = 0;
    const chatbot: RoleScript = (call) => {
      if (humanTexts(call).length === 1 && ++answered === 4) controller.abort();
      return defaultScript(call);
    };
    const first = await runPrefEvalFixture({ conditions: "none,golden", scripts: { chatbot }, options: { ...SELECTION, signal: controller.signal } });
    expect(first.result.interrupted).toBe(true);
    expect(first.result.itemsRun).toBe(4);
    expect(exitReasons(first.result.summary, first.result)).toEqual(["interrupted: rerun the same command to continue"]);
    const second = await runPrefEvalFixture({ conditions: "none,golden", out: first.out, options: SELECTION });
    expect(second.result).toMatchObject({ itemsRun: 2, itemsSkipped: 4, interrupted: false });
    const places = results(first.out).map((r) => `${r.condition} ${r.itemId}`);
    expect(places).toHaveLength(6);
    expect(new Set(places).size).toBe(6);
  });

  test("each attempt is a new store user: a retried item never sees an earlier attempt's memory", async () => {
    let chatbotUp = false;
    // The question fails on the first attempt, after session 1 was learned.
    const chatbot: RoleScript = (call) => {
      if (!chatbotUp && humanTexts(call).at(-1) === EXPLICIT.question) throw new Error("500 Internal Server Error");
      return defaultScript(call);
    };
    const options = { ...SELECTION, fillers: [0], forms: ["explicit" as const] };
    const first = await runPrefEvalFixture({ conditions: "persona", scripts: { chatbot }, options });
    const [failure] = records(first.out) as PrefEvalFailure[];
    expect(failure).toMatchObject({ type: "prefeval-error", stage: "question", role: "chatbot", userId: expect.stringMatching(/^prefeval:persona:explicit\/cooking\/1:f0:[0-9a-f]{8}$/) });
    chatbotUp = true;
    const second = await runPrefEvalFixture({ conditions: "persona", out: first.out, scripts: { chatbot }, options });
    expect(second.result).toMatchObject({ itemsRun: 1, failures: 0 });
    const [record] = results(first.out);
    expect(record.userId).not.toBe(failure.userId);
    const persistence = openSqlitePersistence(join(first.out, "state.sqlite"));
    try {
      // Each attempt's user learned once, from its own session 1; the failed question recorded nothing.
      const failed = new PersonaMemory(persistence.store, failure.userId!);
      const retried = new PersonaMemory(persistence.store, record.userId);
      expect(await failed.learningLog()).toHaveLength(1);
      expect(await retried.learningLog()).toHaveLength(1);
      expect((await failed.sessions()).map((s) => s.status)).toEqual(["learned"]);
      expect((await retried.sessions()).map((s) => s.status)).toEqual(["learned", "open"]);
      expect(record.personaVersion).toBe(1);
    } finally {
      persistence.close();
    }
  });
});
