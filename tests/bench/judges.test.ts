import { AIMessage } from "@langchain/core/messages";
import { parseJsonReply } from "../../src/bench/judge/parseJsonReply.js";
import {
  firstReplyVerdictSchema,
  judgeFirstReply,
  judgePairwise,
  judgePersonaSimilarity,
  pairwiseVerdictSchema,
} from "../../src/bench/judge/judges.js";
import { CostMeter } from "../../src/bench/cost.js";
import { RoleScriptedModel, type RoleCall } from "./helpers/roleModels.js";

const scene = { persona: "Demographics — Name: Maya", sceneDesc: "desc", expectedResponse: "ideal", query: "q?" };

function judgeModel(replies: string[], log: RoleCall[] = [], meter = new CostMeter()) {
  let i = 0;
  return new RoleScriptedModel("judge", () => replies[Math.min(i++, replies.length - 1)], log, [meter.handler("judge")]);
}

describe("parseJsonReply", () => {
  test.each([
    ['{"helpfulness": 8, "personalization": 6}', 8, 6],
    ['```json\n{"helpfulness": 7, "personalization": 5, "reason": "ok"}\n```', 7, 5],
    ['Here is my verdict: {"helpfulness": "9", "personalization": "4/10"} hope it helps', 9, 4],
    ['{"helpfulness": 8, "personalization": 6,}', 8, 6],
    ["{“helpfulness”: 3, “personalization”: 2}", 3, 2],
    ['{"helpfulness": 7.6, "personalization": 0, "reason": "braces } in {text}"}', 8, 0],
  ])("reads %s", (text, helpfulness, personalization) => {
    expect(parseJsonReply(text, firstReplyVerdictSchema)).toMatchObject({ ok: true, value: { helpfulness, personalization } });
  });

  test.each([
    ["", /empty/],
    ["I think it is good, 8/10.", /no JSON object/],
    ['{"helpfulness": 11, "personalization": 5}', /helpfulness/],
    ['{"helpfulness": 8}', /personalization/],
    ['{"helpfulness": "great", "personalization": 5}', /helpfulness/],
    ["[8, 5]", /not an object|no JSON/],
    ['{"helpfulness": 8, "personalization": 5', /no JSON object/],
  ])("rejects %j with a reason", (text, reason) => {
    const parsed = parseJsonReply(text, firstReplyVerdictSchema);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(reason);
  });

  test("pairwise winners are normalized", () => {
    expect(parseJsonReply('{"winner": "Reply a"}', pairwiseVerdictSchema)).toMatchObject({ ok: true, value: { winner: "A" } });
    expect(parseJsonReply('{"winner": "Tie"}', pairwiseVerdictSchema)).toMatchObject({ ok: true, value: { winner: "TIE" } });
    expect(parseJsonReply('{"winner": "both"}', pairwiseVerdictSchema).ok).toBe(false);
  });
});

describe("judges handle malformed output", () => {
  test("a malformed reply gets one retry that quotes the parse error", async () => {
    const log: RoleCall[] = [];
    const outcome = await judgeFirstReply(judgeModel(["nope", '{"helpfulness": 6, "personalization": 7}'], log), scene, "reply");
    expect(outcome).toEqual({ status: "ok", value: { helpfulness: 6, personalization: 7 }, attempts: 2 });
    expect(log).toHaveLength(2);
    expect(String(log[1].messages.at(-1)!.content)).toMatch(/could not be read \(no JSON object found\)/);
    expect(log[1].messages.at(-2)).toBeInstanceOf(AIMessage);
  });

  test("two malformed replies are recorded with the error and the raw text, and counted as cost", async () => {
    const meter = new CostMeter();
    const outcome = await judgeFirstReply(judgeModel(["Great answer!", '{"helpfulness": 12}'], [], meter), scene, "reply");
    expect(outcome).toMatchObject({ status: "malformed", raw: '{"helpfulness": 12}', attempts: 2 });
    expect(outcome.status === "malformed" && outcome.error).toMatch(/helpfulness|personalization/);
    expect(meter.take().judge).toMatchObject({ calls: 2, callsWithoutUsage: 0 });
  });

  test("pairwise and similarity judges parse their own formats", async () => {
    const pair = await judgePairwise(judgeModel(['{"winner": "B", "reason": "closer"}']), scene, "a", "b");
    expect(pair).toMatchObject({ status: "ok", value: { winner: "B" } });
    const groups = ["Demographics", "Pattern"];
    const sim = await judgePersonaSimilarity(
      judgeModel(['{"scores": {"Demographics": 7, "Pattern": "3"}}']),
      { Demographics: { Name: "x" } },
      { Demographics: { Name: "x" } },
      groups,
    );
    expect(sim).toMatchObject({ status: "ok", value: { scores: { Demographics: 7, Pattern: 3 } } });
    const missing = await judgePersonaSimilarity(judgeModel(['{"scores": {"Demographics": 7}}']), {}, {}, groups);
    expect(missing).toMatchObject({ status: "malformed" });
    expect(missing.status === "malformed" && missing.error).toMatch(/scores\.Pattern/);
  });
});
