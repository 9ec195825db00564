import { randomUUID } from "node:crypto";
import { HumanMessage } from "@langchain/core/messages";
import type { BaseCheckpointSaver, BaseStore } from "@langchain/langgraph";
import {
  createPersonaGraph,
  createPersonaLearnerGraph,
  defaultPersonaSchema,
  describePersonaFields,
  PersonaMemory,
  type FieldPolicies,
  type LearningRecord,
  type LearningSummary,
  type PersonaGraphOptions,
  type PersonaGraphStateType,
  type PersonaValues,
  type TranscriptTurn,
} from "../index.js";
import { formatPrompt, messageText, renderPersona } from "../render.js";
import type { BenchCondition } from "./conditions.js";
import { CostMeter, firstLine, type BenchRole, type CostByRole } from "./cost.js";
import type { BenchPersona, BenchScene } from "./data/types.js";
import { judgeFirstReply, judgePersonaSimilarity, type FirstReplyVerdict, type SimilarityVerdict } from "./judge/judges.js";
import { judgeOrRecordFailure, type JudgeOutcome } from "./judge/structuredCall.js";
import type { BenchModelFactory } from "./models.js";
import { fullHistoryContext, retrievedHistoryContext } from "./pastSessions.js";
import { PROTOCOLS, type BenchProtocol, type ProtocolName } from "./protocol.js";
import { CHATBOT_SCENE, CHATBOT_SCENE_API, CHATBOT_SCENE_NO_APIS } from "./prompts/chatbotScene.js";
import type { EpisodeResult, SceneLearning, SceneResult } from "./results.js";
import { SimulatedUser } from "./simulatedUser.js";
import { createSceneTools, type ToolCallRecord } from "./toolSimulator.js";

export const PERSONA_GROUPS = ["Demographics", "Personality", "Pattern", "Preference"];

/**
 * Settings of every episode of a run.
 * @example
 * const settings: EpisodeSettings = { ...DEFAULT_EPISODE_SETTINGS, turnCap: 3 };
 */
export interface EpisodeSettings {
  /** Most chatbot replies per scene. @default 5 (release protocol: 3) */
  turnCap: number;
  /** Past sessions the rag condition retrieves. @default 2 */
  ragTop: number;
  /** Token budget of past transcripts in the full-history condition. @default 12000 */
  historyBudgetTokens: number;
  /** Run the first-reply, persona-similarity and pairwise judges. @default true */
  judge: boolean;
  /**
   * Give the chatbot the scene's description and API documentation as the
   * graph's `scene` state, as the paper's released code did. Scene
   * descriptions often state the persona's traits, which leaks them to every
   * condition. @default false (release protocol: true)
   */
  sceneToChatbot: boolean;
  /** The protocol (see PROTOCOLS): learning start, schedule, window, satisfaction rule. @default "default" */
  protocol: ProtocolName;
}

/**
 * The default protocol's episode settings.
 *
 * @example
 * ```ts no-run
 * const settings = { ...DEFAULT_EPISODE_SETTINGS, judge: false };
 * ```
 */
export const DEFAULT_EPISODE_SETTINGS: EpisodeSettings = {
  turnCap: PROTOCOLS.default.turnCap,
  ragTop: 2,
  historyBudgetTokens: 12000,
  judge: true,
  sceneToChatbot: PROTOCOLS.default.sceneToChatbot,
  protocol: "default",
};

/**
 * Episode settings of a protocol, with overrides.
 *
 * @param protocol - A protocol of PROTOCOLS.
 * @param overrides - Settings that replace the protocol's.
 * @returns The settings.
 * @example
 * ```ts no-run
 * const settings = episodeSettingsFor(PROTOCOLS.release, { judge: false });
 * ```
 */
export function episodeSettingsFor(protocol: BenchProtocol, overrides: Partial<EpisodeSettings> = {}): EpisodeSettings {
  return {
    ...DEFAULT_EPISODE_SETTINGS,
    turnCap: protocol.turnCap,
    sceneToChatbot: protocol.sceneToChatbot,
    protocol: protocol.name,
    ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)),
  };
}

export interface EpisodeEnvironment {
  store: BaseStore;
  checkpointer: BaseCheckpointSaver;
  models: BenchModelFactory;
  settings: EpisodeSettings;
}

/** A scene that stopped on an error, with the calls it made and the role that failed. */
export class SceneFailure extends Error {
  constructor(
    message: string,
    readonly cost: CostByRole,
    readonly role: BenchRole | undefined,
  ) {
    super(message);
  }
}

/** The store user id of a persona under a condition and repeat; conditions and repeats never share memory. */
export function benchUserId(condition: BenchCondition, persona: BenchPersona, repeat = 1): string {
  return `bench:${condition.id}:${persona.id}${repeat > 1 ? `:r${repeat}` : ""}`;
}

/** The golden persona as the simulated user and the judges see it. */
export function goldenPersonaText(persona: BenchPersona): string {
  return renderPersona(persona.golden, defaultPersonaSchema);
}

/** The scene as the chatbot sees it when the protocol shows it: description and API documentation. */
export function sceneForChatbot(scene: BenchScene): string {
  const apis = scene.apis.length
    ? scene.apis
        .map((api) =>
          formatPrompt(CHATBOT_SCENE_API, { name: api.toolName, arguments: api.arguments.join(", "), description: api.description }),
        )
        .join("\n")
    : CHATBOT_SCENE_NO_APIS;
  return formatPrompt(CHATBOT_SCENE, { description: scene.description, apis });
}

/** Field policies that freeze every field of the given groups. */
export function frozenGroupPolicies(groups: string[]): FieldPolicies {
  const policies: FieldPolicies = {};
  for (const field of describePersonaFields(defaultPersonaSchema)) {
    if (groups.some((group) => field.path.startsWith(`${group}.`))) policies[field.path] = { frozen: true };
  }
  return policies;
}

/** The release's schedule: learn after scene n when k divides n, and after each of the episode's last three scenes. */
export function releaseLearningDue(sceneIndex: number, k: number, episodeLength: number): boolean {
  return sceneIndex % k === 0 || sceneIndex > episodeLength - 3;
}

function graphOptions(condition: BenchCondition, settings: EpisodeSettings, protocol: BenchProtocol): Partial<PersonaGraphOptions> {
  // Past transcripts feed full-history, rag and the report: a benchmark keeps everything.
  return { retention: false, ...conditionOptions(condition, settings, protocol) };
}

function conditionOptions(condition: BenchCondition, settings: EpisodeSettings, protocol: BenchProtocol): Partial<PersonaGraphOptions> {
  switch (condition.kind) {
    case "learning":
      return protocol.schedule === "every-k"
        ? { learning: "inline", updateEvery: condition.updateEvery, fieldPolicies: frozenGroupPolicies(protocol.frozenGroups) }
        : // The bench runs the learner itself on the release's schedule.
          { learning: "background" };
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
  const changes = describePersonaFields(defaultPersonaSchema).flatMap((field) => {
    const value = field.segments.reduce<unknown>(
      (node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined),
      persona.golden,
    );
    return value === undefined
      ? []
      : [{ op: "set" as const, field: field.path, value, evidence: "PersonaBench golden persona" }];
  });
  await memory.commitVersion({
    source: "manual",
    note: `PersonaBench golden persona of ${persona.file}`,
    build: () => ({ persona: persona.golden, changes, rejected: [] }),
  });
}

function lastReply(state: PersonaGraphStateType): string {
  const message = state.messages.at(-1);
  return message && message.getType() === "ai" ? messageText(message).trim() : "";
}

/** A learning-log entry as a scene's learning run. */
function fromRecord(record: LearningRecord, version: number): SceneLearning {
  return {
    outcome: record.outcome,
    sessionIds: record.sessionIds,
    version: record.version ?? version,
    applied: record.appliedCount,
    rejected: record.rejected.length,
    ...(record.error ? { error: record.error } : {}),
    rejectedReasons: record.rejected.map((rejected) => rejected.reason),
  };
}

/** The learning summary of a run with the reasons of its rejected changes, read from the learning log. */
async function withReasons(memory: PersonaMemory, summary: LearningSummary, setAside: string[] = []): Promise<SceneLearning> {
  const key = summary.sessionIds.join("|");
  const record = (await memory.learningLog()).reverse().find((entry) => entry.sessionIds.join("|") === key);
  return {
    ...summary,
    rejectedReasons: record?.rejected.map((rejected) => rejected.reason) ?? [],
    ...(setAside.length ? { setAside } : {}),
  };
}

/**
 * The release protocol's learning run: the waiting sessions beyond the window
 * are set aside (claimed without a new version, as the release dropped them),
 * then the learner graph learns the rest, with the protocol's frozen groups.
 */
async function runWindowedLearning(
  env: EpisodeEnvironment,
  userId: string,
  protocol: BenchProtocol,
  learnerModel: ReturnType<BenchModelFactory>,
  sceneIndex: number,
): Promise<SceneLearning | null> {
  const memory = new PersonaMemory(env.store, userId);
  const waiting = await memory.sessions("ended");
  if (waiting.length === 0) return null;
  const keep = protocol.window?.sessions ?? waiting.length;
  const setAside = waiting.slice(0, Math.max(0, waiting.length - keep)).map((session) => session.sessionId);
  if (setAside.length) {
    await memory.commitVersion({
      source: "manual",
      sessionIds: setAside,
      note: `set aside: outside the ${keep}-session learning window`,
      build: (current) => ({ persona: current.persona, changes: [], rejected: [] }),
    });
  }
  const learner = createPersonaLearnerGraph({
    model: learnerModel,
    learnerModel,
    maxSessionsPerLearning: keep,
    fieldPolicies: frozenGroupPolicies(protocol.frozenGroups),
  }).compile({ store: env.store });
  const state = (await learner.invoke(
    {},
    { configurable: { thread_id: `${userId}/learn-${String(sceneIndex).padStart(3, "0")}` }, context: { userId } },
  )) as PersonaGraphStateType;
  return state.lastLearning ? withReasons(memory, state.lastLearning, setAside) : null;
}

/**
 * Runs one scene as one session of the persona's user: the simulated user
 * opens with the neutralized query, the chatbot (the persona graph in the
 * condition's configuration) replies, possibly calling the scene's simulated
 * APIs, until the user is satisfied or the turn cap; then the session ends,
 * which runs learning when it is due. Throws a SceneFailure (with the calls
 * made and the failed role) when a call the scene needs fails.
 */
export async function runScene(
  env: EpisodeEnvironment,
  condition: BenchCondition,
  persona: BenchPersona,
  scene: BenchScene,
  options: { repeat?: number; episodeLength?: number } = {},
): Promise<SceneResult> {
  const meter = new CostMeter();
  try {
    return await playScene(env, condition, persona, scene, meter, options.repeat ?? 1, options.episodeLength ?? persona.scenes.length);
  } catch (error) {
    const message = firstLine(error);
    const role = meter.lastFailure && meter.lastFailure.error === message ? meter.lastFailure.role : undefined;
    throw new SceneFailure(message, meter.take(), role);
  }
}

async function playScene(
  env: EpisodeEnvironment,
  condition: BenchCondition,
  persona: BenchPersona,
  scene: BenchScene,
  meter: CostMeter,
  repeat: number,
  episodeLength: number,
): Promise<SceneResult> {
  const started = Date.now();
  const protocol = PROTOCOLS[env.settings.protocol];
  const model = (role: BenchRole) => env.models(role, [meter.handler(role)]);
  const userId = benchUserId(condition, persona, repeat);
  if (condition.kind === "golden" || (condition.kind === "learning" && protocol.learningStart === "golden")) {
    await seedGoldenPersona(env.store, userId, persona);
  }
  const toolCalls: ToolCallRecord[] = [];
  const learnerModel = model("learner");
  const graph = createPersonaGraph({
    model: model("chatbot"),
    learnerModel,
    tools: createSceneTools(scene, model("tool"), toolCalls),
    ...graphOptions(condition, env.settings, protocol),
  }).compile({ checkpointer: env.checkpointer, store: env.store });
  // A fresh thread per attempt: a scene interrupted earlier never continues its old thread.
  const threadId = `${userId}/scene-${String(scene.index).padStart(3, "0")}/${randomUUID().slice(0, 8)}`;
  const config = { configurable: { thread_id: threadId }, context: { userId }, recursionLimit: 40 };
  const user = new SimulatedUser(model("user"), goldenPersonaText(persona), scene, protocol.satisfaction);
  const memory = new PersonaMemory(env.store, userId);
  const logBefore = condition.kind === "learning" ? new Set((await memory.learningLog()).map((record) => record.id)) : new Set<string>();

  const transcript: TranscriptTurn[] = [];
  let message = scene.neutralizedQuery;
  let firstReply = "";
  let turns = 0;
  let emptyReplies = 0;
  let outcome: SceneResult["outcome"] = "capped";
  let userError: string | undefined;
  while (turns < env.settings.turnCap) {
    transcript.push({ role: "user", text: message });
    const input = {
      messages: [new HumanMessage(message)],
      ...(turns === 0 && env.settings.sceneToChatbot ? { scene: sceneForChatbot(scene) } : {}),
    };
    const state = (await graph.invoke(input, config)) as PersonaGraphStateType;
    const reply = lastReply(state);
    turns++;
    if (!reply) emptyReplies++;
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
  let learning: SceneLearning | null = null;
  if (condition.kind === "learning") {
    if (protocol.schedule === "release") {
      if (releaseLearningDue(scene.index, condition.updateEvery, episodeLength)) {
        learning = await runWindowedLearning(env, userId, protocol, learnerModel, scene.index);
      }
    } else if (ended.lastLearning) {
      learning = await withReasons(memory, ended.lastLearning);
    }
  }
  const document = await memory.load();
  const learningRuns =
    condition.kind === "learning"
      ? (await memory.learningLog()).filter((record) => !logBefore.has(record.id)).map((record) => fromRecord(record, document.version))
      : [];
  if (learning?.setAside && learningRuns.length) learningRuns[learningRuns.length - 1].setAside = learning.setAside;

  const judge = env.settings.judge ? await judgeScene(model("judge"), persona, scene, firstReply) : undefined;

  return {
    type: "scene",
    condition: condition.id,
    personaId: persona.id,
    sceneIndex: scene.index,
    ...(repeat > 1 ? { repeat } : {}),
    threadId,
    category: scene.category,
    language: scene.language,
    turns,
    outcome,
    ...(userError ? { userError } : {}),
    ...(emptyReplies ? { emptyReplies } : {}),
    query: scene.neutralizedQuery,
    firstReply,
    transcript,
    toolCalls,
    learning,
    ...(learningRuns.length ? { learningRuns } : {}),
    personaVersion: document.version,
    ...(judge ? { judge } : {}),
    cost: meter.take(),
    wallMs: Date.now() - started,
    at: new Date().toISOString(),
  };
}

/** The first-reply judgment of a scene; a failing judge call is recorded, not thrown. */
export function judgeScene(
  judgeModel: ReturnType<BenchModelFactory>,
  persona: BenchPersona,
  scene: BenchScene,
  firstReply: string,
): Promise<JudgeOutcome<FirstReplyVerdict>> {
  return judgeOrRecordFailure(() =>
    judgeFirstReply(
      judgeModel,
      {
        persona: goldenPersonaText(persona),
        sceneDesc: scene.description,
        expectedResponse: scene.expectedResponse,
        query: scene.neutralizedQuery,
      },
      firstReply,
    ),
  );
}

/** The learned persona's similarity to the golden one; a failing judge call is recorded, not thrown. */
export function judgeSimilarity(
  judgeModel: ReturnType<BenchModelFactory>,
  persona: BenchPersona,
  learned: PersonaValues,
): Promise<JudgeOutcome<SimilarityVerdict>> {
  return judgeOrRecordFailure(() => judgePersonaSimilarity(judgeModel, persona.golden, learned, PERSONA_GROUPS));
}

/** The persona a user had at a version (0: empty). */
async function personaAt(memory: PersonaMemory, version: number): Promise<PersonaValues> {
  if (version <= 0) return {};
  const stored = await memory.getVersion(version);
  return stored?.persona ?? (await memory.load()).persona;
}

/**
 * The end-of-episode record: the persona as it was after the episode's last
 * scene (a later, longer run of the same folder does not change it) and, for
 * learning conditions when judging, its similarity to the golden persona, as
 * judged by the judge model (never assumed).
 */
export async function finishEpisode(
  env: EpisodeEnvironment,
  condition: BenchCondition,
  persona: BenchPersona,
  lastScene: SceneResult,
  scenes: number,
): Promise<EpisodeResult> {
  const meter = new CostMeter();
  const repeat = lastScene.repeat ?? 1;
  const memory = new PersonaMemory(env.store, benchUserId(condition, persona, repeat));
  const learned = await personaAt(memory, lastScene.personaVersion);
  const similarity =
    env.settings.judge && condition.kind === "learning"
      ? await judgeSimilarity(env.models("judge", [meter.handler("judge")]), persona, learned)
      : undefined;
  return {
      type: "episode",
      condition: condition.id,
      personaId: persona.id,
      ...(repeat > 1 ? { repeat } : {}),
      scenes,
      personaVersion: lastScene.personaVersion,
      finalPersona: learned,
      ...(similarity ? { similarity } : {}),
      cost: meter.take(),
      at: new Date().toISOString(),
  };
}
