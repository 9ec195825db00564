import { parseJsonReply } from "../../../src/bench/judge/parseJsonReply.js";
import { acknowledgmentVerdictSchema, checkVerdictSchema, classifyReply, type PrefEvalJudgment } from "../../../src/bench/prefeval/judge/checks.js";

const ok = (answer: "yes" | "no", restated?: string) => ({ status: "ok" as const, value: { answer, ...(restated !== undefined ? { restated } : {}) }, attempts: 1 });
const unreadable = { status: "malformed" as const, error: "no JSON object found", raw: "??", attempts: 2 };
const failed = { status: "failed" as const, error: "502 Bad Gateway", attempts: 1 };
const judgment = (v: PrefEvalJudgment["violates"], a: PrefEvalJudgment["acknowledges"], h: PrefEvalJudgment["hallucinates"], help: PrefEvalJudgment["helpful"]): PrefEvalJudgment => ({
  violates: v,
  acknowledges: a,
  ...(h ? { hallucinates: h } : {}),
  helpful: help,
});

describe("classifyReply follows PrefEval's definitions", () => {
  test.each([
    ["helpful, no violation", judgment(ok("no"), ok("no"), undefined, ok("yes")), true, null],
    ["helpful, no violation, acknowledged", judgment(ok("no"), ok("yes", "x"), ok("no"), ok("yes")), true, null],
    ["unhelpful, whatever else", judgment(ok("yes"), ok("yes", "x"), ok("yes"), ok("no")), false, "unhelpful"],
    ["violation without acknowledgment", judgment(ok("yes"), ok("no"), undefined, ok("yes")), false, "unaware-violation"],
    ["violation with the right preference acknowledged", judgment(ok("yes"), ok("yes", "x"), ok("no"), ok("yes")), false, "inconsistent"],
    ["violation with a made-up preference acknowledged", judgment(ok("yes"), ok("yes", "y"), ok("yes"), ok("yes")), false, "hallucinated-violation"],
  ])("%s", (_name, j, follows, error) => {
    expect(classifyReply(j)).toMatchObject({ status: "judged", follows, error });
  });

  test("an unreadable or failed check leaves the reply out only when the outcome depends on it", () => {
    expect(classifyReply(judgment(unreadable, unreadable, undefined, ok("no")))).toMatchObject({ status: "judged", follows: false, error: "unhelpful" });
    expect(classifyReply(judgment(ok("no"), unreadable, undefined, ok("yes")))).toMatchObject({ status: "judged", follows: true });
    expect(classifyReply(judgment(ok("yes"), unreadable, undefined, ok("yes")))).toEqual({ status: "unreadable", checks: ["acknowledges"] });
    expect(classifyReply(judgment(ok("yes"), ok("yes", "x"), unreadable, ok("yes")))).toEqual({ status: "unreadable", checks: ["hallucinates"] });
    expect(classifyReply(judgment(unreadable, ok("no"), undefined, ok("yes")))).toEqual({ status: "unreadable", checks: ["violates"] });
    expect(classifyReply(judgment(ok("no"), ok("no"), undefined, failed))).toEqual({ status: "failed", checks: ["helpful"] });
    expect(classifyReply(judgment(failed, ok("no"), undefined, ok("yes")))).toEqual({ status: "failed", checks: ["violates"] });
  });

  test("verdicts are read leniently: any case, a trailing period, a boolean, JSON in prose", () => {
    expect(parseJsonReply('Sure: {"answer": "Yes.", "reason": "r"}', checkVerdictSchema)).toEqual({ ok: true, value: { answer: "yes", reason: "r" } });
    expect(parseJsonReply('{"answer": false}', checkVerdictSchema)).toEqual({ ok: true, value: { answer: "no" } });
    expect(parseJsonReply('{"answer": "maybe"}', checkVerdictSchema)).toMatchObject({ ok: false });
    expect(parseJsonReply('```json\n{"answer": "YES", "restated": "no peanuts"}\n```', acknowledgmentVerdictSchema)).toEqual({ ok: true, value: { answer: "yes", restated: "no peanuts" } });
  });
});
