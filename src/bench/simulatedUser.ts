import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { z } from "zod";
import { formatPrompt } from "../render.js";
import type { BenchProtocol } from "./protocol.js";
import { SIMULATED_USER_SYSTEM, SIMULATED_USER_TURN } from "./prompts/simulatedUser.js";
import { SIMULATED_USER_REFERENCE_SYSTEM } from "./prompts/simulatedUserReference.js";
import { callForJson, type StructuredOutcome } from "./judge/structuredCall.js";
import type { BenchScene } from "./data/types.js";

const flag = z.preprocess((value) => {
  if (typeof value === "string") {
    const text = value.trim().toLowerCase();
    if (["true", "yes", "satisfied"].includes(text)) return true;
    if (["false", "no", "continue"].includes(text)) return false;
  }
  return value;
}, z.boolean());

export const userDecisionSchema = z.object({
  satisfied: flag,
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type UserDecision = z.infer<typeof userDecisionSchema>;

export const LANGUAGE_NAMES = { zh: "Chinese (简体中文)", en: "English" } as const;

/**
 * The simulated user of one scene: knows the golden persona, the scene, its
 * context and the expected response (as what satisfies it, or under the
 * release protocol as a reference). It opened with the neutralized query;
 * after each assistant reply it decides, as a JSON object, satisfied or not,
 * and when not, writes its next message.
 */
export class SimulatedUser {
  private readonly history: BaseMessage[];

  constructor(
    private readonly model: BaseChatModel,
    persona: string,
    scene: BenchScene,
    satisfaction: BenchProtocol["satisfaction"] = "expected-response",
  ) {
    this.history = [
      new SystemMessage(
        formatPrompt(satisfaction === "reference" ? SIMULATED_USER_REFERENCE_SYSTEM : SIMULATED_USER_SYSTEM, {
          persona,
          scene_type: scene.type,
          scene_desc: scene.description,
          scene_context: scene.context,
          expected_response: scene.expectedResponse,
          language: LANGUAGE_NAMES[scene.language],
        }),
      ),
      // The simulator's own view: its messages are "assistant" turns, the chatbot's are "user" turns.
      new AIMessage(scene.neutralizedQuery),
    ];
  }

  /** Decides on the chatbot's latest reply. A continue decision without a message counts as malformed. */
  async respond(reply: string): Promise<StructuredOutcome<UserDecision>> {
    const turn = new HumanMessage(formatPrompt(SIMULATED_USER_TURN, { reply }));
    const outcome = await callForJson(
      this.model,
      [...this.history, turn],
      userDecisionSchema.refine((decision) => decision.satisfied || Boolean(decision.message?.trim()), {
        message: "message must not be empty when satisfied is false",
        path: ["message"],
      }),
    );
    this.history.push(turn);
    if (outcome.status === "ok") {
      this.history.push(new AIMessage(JSON.stringify(outcome.value)));
    }
    return outcome;
  }
}
