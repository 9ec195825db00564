import { randomUUID } from "node:crypto";
import { HumanMessage } from "@langchain/core/messages";
import type { BaseStore, BaseCheckpointSaver } from "@langchain/langgraph";
import { createPersonaGraph } from "../graph/createPersonaGraph.js";
import type { PersonaGraphOptions } from "../graph/options.js";
import type { PersonaGraphStateType } from "../graph/state.js";
import { messageText } from "../render/messageText.js";
import { PersonaMemory } from "../memory/personaMemory.js";
import type { TranscriptTurn } from "../memory/records.js";
import { renderPersona } from "../render/renderPersona.js";
import { defaultPersonaSchema } from "../schema/defaultSchema.js";
import { describePersonaFields, knownFields } from "../schema/fields.js";
import type { BenchCondition } from "./conditions.js";
import { CostMeter, type BenchRole } from "./cost.js";
import type { BenchPersona, BenchScene } from "./data/types.js";
import { judgeFirstReply, judgePersonaSimilarity } from "./judge/judges.js";
import type { BenchModelFactory } from "./models.js";
import { fullHistoryContext, retrievedHistoryContext } from "./pastSessions.js";
import type { EpisodeResult, SceneResult } from "./results.js";
import { SimulatedUser } from "./simulatedUser.js";
import { createSceneTools, type ToolCallRecord } from "./toolSimulator.js";

export const PERSONA_GROUPS = ["Demographics", "Personality", "Pattern", "Preference"];

export interface EpisodeSettings {
  /** Most chatbot replies per scene. Default 5. */
  turnCap: number;
  /** Past sessions the rag condition retrieves. Default 2. */
  ragTop: number;
  /** Token budget of past transcripts in the full-history condition. Default 12000. */
  historyBudgetTokens: number;
  /** Run the first-reply and persona-similarity judges. */
  judge: boolean;
  /**
   * Give the chatbot the scene description as the graph's `scene` state, as the
   * paper's released code did (it put scene_desc in every chatbot prompt).
   * Default false: the chatbot sees only the user's messages; scene
   * descriptions often state the persona's traits, which would leak them to
   * every condition.
   */
  sceneToChatbot: boolean;
}

export const DEFAULT_EPISODE_SETTINGS: EpisodeSettings = {
  turnCap: 5,
  ragTop: 2,
  historyBudgetTokens: 12000,
  judge: true,
  sceneToChatbot: false,
};

export interface EpisodeEnvironment {
  store: BaseStore;
  checkpointer: BaseCheckpointSaver;
  models: BenchModelFactory;
  settings: EpisodeSettings;
}

/** The store user id of a persona under a condition; conditions never share memory. */
export function benchUserId(condition: BenchCondition, persona: BenchPersona): string {
  return `bench:${condition.id}:${persona.id}`;
}

/** The golden persona as the simulated user and the judges see it. */
export function goldenPersonaText(persona: BenchPersona): string {
  return renderPersona(persona.golden, defaultPersonaSchema);
}

function graphOptions(condition: BenchCondition, settings: EpisodeSettings): Partial<PersonaGraphOptions> {
  switch (condition.kind) {
    case "learning":
      return { learning: "inline", updateEvery: condition.updateEvery };
    case "full-history":
      return { learning: "background", extraContext: fullHistoryContext(settings.historyBudgetTokens) };
    case "rag":
      return { learning: "background", extraContext: retrievedHistoryContext(settings.ragTop) };
    default:
      // none and golden: sessions are recorded, the persona is never relearned.
      return { learning: "background" };
  }
}

/** Stores the golden persona as version 1 (once; a resumed episode keeps it). */
export async function seedGoldenPersona(store: BaseStore, userId: string, persona: BenchPersona): Promise<void> {
  const memory = new PersonaMemory(store, userId);
  if ((await memory.load()).version > 0) return;
  const fields = describePersonaFields(defaultPersonaSchema);
  await memory.commitVersion({
    source: "manual",
    note: `PersonaBench golden persona of ${persona.file}`,
    build: () => ({
      persona: persona.golden,
      changes: knownFields(persona.golden, fields).map(({ field, value }) => ({
        op: "set" as const,
        field: field.path,
        value,
        evidence: "PersonaBench golden persona",
      })),
      rejected: [],
    }),
  });
}

function lastReply(state: PersonaGraphStateType): string {
  const message = state.messages.at(-1);
  return message && message.getType() === "ai" ? messageText(message).trim() : "";
}

/**
 * Runs one scene as one session of the persona's user: the simulated user
 * opens with the neutralized query, the chatbot (the persona graph in the
 * condition's configuration) replies, possibly calling the scene's simulated
 * APIs, until the user is satisfied or the turn cap; then the session ends,
 * which runs learning when it is due.
 */
export async function runScene(
  env: EpisodeEnvironment,
  condition: BenchCondition,
  persona: BenchPersona,
  scene: BenchScene,
): Promise<SceneResult> {
  const started = Date.now();
  const meter = new CostMeter();
  const model = (role: BenchRole) => env.models(role, [meter.handler(role)]);
  const userId = benchUserId(condition, persona);
  if (condition.kind === "golden") await seedGoldenPersona(env.store, userId, persona);
  const toolCalls: ToolCallRecord[] = [];
  const graph = createPersonaGraph({
    model: model("chatbot"),
    learnerModel: model("learner"),
    tools: createSceneTools(scene, model("tool"), toolCalls),
    ...graphOptions(condition, env.settings),
  }).compile({ checkpointer: env.checkpointer, store: env.store });
  // A fresh thread per attempt: a scene interrupted earlier never continues its old thread.
  const threadId = `${userId}/scene-${String(scene.index).padStart(3, "0")}/${randomUUID().slice(0, 8)}`;
  const config = { configurable: { thread_id: threadId }, context: { userId }, recursionLimit: 40 };
  const userModel = model("user");
  const golden = goldenPersonaText(persona);
  const user = new SimulatedUser(userModel, golden, scene);

  const transcript: TranscriptTurn[] = [];
  let message = scene.neutralizedQuery;
  let firstReply = "";
  let turns = 0;
  let outcome: SceneResult["outcome"] = "capped";
  let userError: string | undefined;
  while (turns < env.settings.turnCap) {
    transcript.push({ role: "user", text: message });
    const input = {
      messages: [new HumanMessage(message)],
      ...(turns === 0 && env.settings.sceneToChatbot ? { scene: scene.description } : {}),
    };
    const state = (await graph.invoke(input, config)) as PersonaGraphStateType;
    const reply = lastReply(state);
    turns++;
    if (turns === 1) firstReply = reply;
    transcript.push({ role: "assistant", text: reply });
    const decision = await user.respond(reply);
    if (decision.status === "malformed") {
      outcome = "user_malformed";
      userError = decision.error;
      break;
    }
    if (decision.value.satisfied) {
      outcome = "satisfied";
      break;
    }
    message = decision.value.message!.trim();
  }
  const ended = (await graph.invoke({ endSession: true }, config)) as PersonaGraphStateType;
  const document = await new PersonaMemory(env.store, userId).load();

  const judge = env.settings.judge
    ? await judgeFirstReply(
        model("judge"),
        {
          persona: golden,
          sceneDesc: scene.description,
          expectedResponse: scene.expectedResponse,
          query: scene.neutralizedQuery,
        },
        firstReply,
      )
    : undefined;

  return {
    type: "scene",
    condition: condition.id,
    personaId: persona.id,
    sceneIndex: scene.index,
    category: scene.category,
    language: scene.language,
    turns,
    outcome,
    ...(userError ? { userError } : {}),
    query: scene.neutralizedQuery,
    firstReply,
    transcript,
    toolCalls,
    learning: ended.lastLearning ?? null,
    personaVersion: document.version,
    ...(judge ? { judge } : {}),
    cost: meter.take(),
    wallMs: Date.now() - started,
    at: new Date().toISOString(),
  };
}

/** The end-of-episode record: the final persona and, for learning conditions, its similarity to the golden one. */
export async function finishEpisode(
  env: EpisodeEnvironment,
  condition: BenchCondition,
  persona: BenchPersona,
  scenes: number,
): Promise<EpisodeResult> {
  const meter = new CostMeter();
  const document = await new PersonaMemory(env.store, benchUserId(condition, persona)).load();
  let similarity: EpisodeResult["similarity"];
  if (env.settings.judge && condition.kind === "learning") {
    const learned = document.persona;
    const empty = Object.keys(learned).length === 0;
    similarity = empty
      ? { status: "ok", value: { scores: Object.fromEntries(PERSONA_GROUPS.map((g) => [g, 0])), reason: "nothing learned" }, attempts: 0 }
      : await judgePersonaSimilarity(env.models("judge", [meter.handler("judge")]), persona.golden, learned, PERSONA_GROUPS);
  }
  return {
    type: "episode",
    condition: condition.id,
    personaId: persona.id,
    scenes,
    personaVersion: document.version,
    finalPersona: document.persona,
    ...(similarity ? { similarity } : {}),
    cost: meter.take(),
    at: new Date().toISOString(),
  };
}
