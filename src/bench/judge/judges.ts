import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage } from "@langchain/core/messages";
import { z } from "zod";
import { formatPrompt } from "../../render.js";
import { JUDGE_FIRST_REPLY } from "../prompts/judgeFirstReply.js";
import { JUDGE_PAIRWISE } from "../prompts/judgePairwise.js";
import { JUDGE_PERSONA_SIMILARITY } from "../prompts/judgePersonaSimilarity.js";
import { callForJson, type StructuredOutcome } from "./structuredCall.js";

/** An integer score 0-10; numeric strings ("8", "8/10") are accepted, fractions rounded. */
const score = z.preprocess((value) => {
  if (typeof value === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*10)?\s*$/.exec(value);
    return match ? Number(match[1]) : value;
  }
  return value;
}, z.number().min(0).max(10).transform((value) => Math.round(value)));

export const firstReplyVerdictSchema = z.object({
  helpfulness: score,
  personalization: score,
  reason: z.string().optional(),
});
export type FirstReplyVerdict = z.infer<typeof firstReplyVerdictSchema>;

export const pairwiseVerdictSchema = z.object({
  winner: z.preprocess(
    (value) => (typeof value === "string" ? value.trim().replace(/^reply\s+/i, "").toUpperCase() : value),
    z.enum(["A", "B", "TIE"]),
  ),
  reason: z.string().optional(),
});
export type PairwiseVerdict = z.infer<typeof pairwiseVerdictSchema>;

export interface SceneForJudge {
  persona: string;
  sceneDesc: string;
  expectedResponse: string;
  query: string;
}

export function judgeFirstReply(
  model: BaseChatModel,
  scene: SceneForJudge,
  reply: string,
): Promise<StructuredOutcome<FirstReplyVerdict>> {
  const prompt = formatPrompt(JUDGE_FIRST_REPLY, {
    persona: scene.persona,
    scene_desc: scene.sceneDesc,
    expected_response: scene.expectedResponse,
    query: scene.query,
    reply,
  });
  return callForJson(model, [new HumanMessage(prompt)], firstReplyVerdictSchema);
}

export function judgePairwise(
  model: BaseChatModel,
  scene: SceneForJudge,
  replyA: string,
  replyB: string,
): Promise<StructuredOutcome<PairwiseVerdict>> {
  const prompt = formatPrompt(JUDGE_PAIRWISE, {
    persona: scene.persona,
    scene_desc: scene.sceneDesc,
    expected_response: scene.expectedResponse,
    query: scene.query,
    reply_a: replyA,
    reply_b: replyB,
  });
  return callForJson(model, [new HumanMessage(prompt)], pairwiseVerdictSchema);
}

export function similarityVerdictSchema(groups: string[]) {
  return z.object({
    scores: z.object(Object.fromEntries(groups.map((group) => [group, score]))) as unknown as z.ZodType<Record<string, number>>,
    reason: z.string().optional(),
  });
}
export interface SimilarityVerdict {
  scores: Record<string, number>;
  reason?: string;
}

export function judgePersonaSimilarity(
  model: BaseChatModel,
  golden: Record<string, unknown>,
  learned: Record<string, unknown>,
  groups: string[],
): Promise<StructuredOutcome<SimilarityVerdict>> {
  const prompt = formatPrompt(JUDGE_PERSONA_SIMILARITY, {
    golden: JSON.stringify(golden, null, 2),
    learned: JSON.stringify(learned, null, 2),
    groups: groups.join(", "),
  });
  return callForJson(model, [new HumanMessage(prompt)], similarityVerdictSchema(groups));
}
