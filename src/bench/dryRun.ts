import { countTokens, formatPrompt } from "../render.js";
import type { BenchCondition } from "./conditions.js";
import { BENCH_ROLES, type BenchRole } from "./cost.js";
import { formatProblem, loadPersonaBench } from "./data/loadPersonaBench.js";
import type { BenchPersona } from "./data/types.js";
import { goldenPersonaText, releaseLearningDue, sceneForChatbot, type EpisodeSettings } from "./episode.js";
import { PROTOCOLS } from "./protocol.js";
import { JUDGE_FIRST_REPLY } from "./prompts/judgeFirstReply.js";
import { JUDGE_PAIRWISE } from "./prompts/judgePairwise.js";
import { JUDGE_PERSONA_SIMILARITY } from "./prompts/judgePersonaSimilarity.js";
import { SIMULATED_USER_SYSTEM } from "./prompts/simulatedUser.js";
import { TOOL_SIMULATOR_SYSTEM } from "./prompts/toolSimulator.js";

/**
 * Reply lengths the estimate assumes, in tokens, and the prompt overhead not
 * taken from the data (the chatbot's instructions, the learner's field list).
 * @example
 * console.log(`assumes ${DRY_RUN_ASSUMPTIONS.typicalTurns} turns per scene`);
 */
export const DRY_RUN_ASSUMPTIONS = {
  typicalTurns: 2,
  replyTokens: { chatbot: 300, user: 60, tool: 150, judge: 60, learner: 200 } as Record<BenchRole, number>,
  chatbotInstructionTokens: 100,
  learnerPromptTokens: 450,
};

/**
 * Calls of one role at one, typical and capped turns per scene.
 * @example
 * const { atOneTurn, typical, atCap }: CallRange = estimate.calls.chatbot;
 */
export interface CallRange {
  atOneTurn: number;
  typical: number;
  atCap: number;
}

/**
 * What a run would cost, computed from the data without a model call: the selection, and the
 * calls and tokens per role at one, typical and capped turns per scene.
 * @example
 * const estimate: DryRunEstimate = estimateRun({ data: "fixtures/personabench-mini", conditions: parseConditions("none"), settings: DEFAULT_EPISODE_SETTINGS });
 * console.log(formatEstimate(estimate).join("\n"));
 */
export interface DryRunEstimate {
  personas: number;
  scenes: number;
  conditions: string[];
  repeats: number;
  turnCap: number;
  /** Calls per role; "judge" includes first-reply, similarity and pairwise judgments. */
  calls: Record<BenchRole, CallRange>;
  /** The judge's calls split by judgment. */
  judgeCalls: { firstReply: number; similarity: number; pairwise: number };
  total: CallRange;
  /** Tokens at the typical turns per scene. */
  tokens: { prompt: number; completion: number };
  problems: string[];
}

/**
 * Options of `estimateRun`: the run's selection and settings.
 * @example
 * estimateRun({ data, conditions: parseConditions(ALL_CONDITIONS), personas: 2, settings: DEFAULT_EPISODE_SETTINGS } satisfies DryRunOptions);
 */
export interface DryRunOptions {
  data: string;
  conditions: BenchCondition[];
  /**
   * Use the first N personas (by file name).
   * @default all
   */
  personas?: number;
  /**
   * Use the first M scenes of each persona.
   * @default all
   */
  scenes?: number;
  /** @default 1 */
  repeats?: number;
  settings: EpisodeSettings;
}

const fill = (template: string, keys: string[]) => formatPrompt(template, Object.fromEntries(keys.map((k) => [k, ""])));
const OVERHEAD = {
  user: countTokens(fill(SIMULATED_USER_SYSTEM, ["persona", "scene_type", "scene_desc", "scene_context", "expected_response", "language"])),
  tool: countTokens(fill(TOOL_SIMULATOR_SYSTEM, ["api_name", "api_description", "api_arguments", "scene_desc", "scene_context"])),
  firstReply: countTokens(fill(JUDGE_FIRST_REPLY, ["persona", "scene_desc", "expected_response", "query", "reply"])),
  pairwise: countTokens(fill(JUDGE_PAIRWISE, ["persona", "scene_desc", "expected_response", "query", "reply_a", "reply_b"])),
  similarity: countTokens(fill(JUDGE_PERSONA_SIMILARITY, ["golden", "learned", "groups"])),
};

function learningRuns(condition: BenchCondition, scenes: number, settings: EpisodeSettings): number {
  if (condition.kind !== "learning") return 0;
  if (PROTOCOLS[settings.protocol].schedule === "release") {
    return Array.from({ length: scenes }, (_, i) => i + 1).filter((n) => releaseLearningDue(n, condition.updateEvery, scenes)).length;
  }
  return Math.floor(scenes / condition.updateEvery);
}

/**
 * Estimates the model calls and tokens a run would need, from the data and
 * the settings, without calling any model: per scene one simulated-user call
 * and one or two chatbot calls (two when the scene has APIs) per turn, one
 * tool-simulator call per turn in scenes with APIs, one first-reply judgment;
 * per learning episode its learner runs and one similarity judgment; per
 * learning scene two pairwise judgments when golden is in the run. Calls are
 * given at 1 turn, at the typical turns (DRY_RUN_ASSUMPTIONS) and at the cap.
 *
 * @param options - The run's data, selection and settings.
 * @returns The estimate.
 * @example
 * ```ts no-run
 * const estimate = estimateRun({ data: "fixtures/personabench-mini", conditions: parseConditions("none,golden,learning:3"), settings: DEFAULT_EPISODE_SETTINGS });
 * ```
 */
export function estimateRun(options: DryRunOptions): DryRunEstimate {
  const loaded = loadPersonaBench(options.data);
  const personas: BenchPersona[] = loaded.personas
    .slice(0, options.personas ?? loaded.personas.length)
    .map((p) => ({ ...p, scenes: p.scenes.slice(0, options.scenes ?? p.scenes.length) }));
  const repeats = options.repeats ?? 1;
  const { settings } = options;
  const cap = settings.turnCap;
  const typical = Math.min(DRY_RUN_ASSUMPTIONS.typicalTurns, cap);
  const reply = DRY_RUN_ASSUMPTIONS.replyTokens;
  const calls = Object.fromEntries(BENCH_ROLES.map((r) => [r, { atOneTurn: 0, typical: 0, atCap: 0 }])) as Record<BenchRole, CallRange>;
  const judgeCalls = { firstReply: 0, similarity: 0, pairwise: 0 };
  const tokens = { prompt: 0, completion: 0 };
  const hasGolden = options.conditions.some((c) => c.kind === "golden");
  const add = (role: BenchRole, one: number, typ: number, atCap: number) => {
    calls[role].atOneTurn += one * repeats;
    calls[role].typical += typ * repeats;
    calls[role].atCap += atCap * repeats;
  };
  const spend = (prompt: number, completion: number) => {
    tokens.prompt += prompt * repeats;
    tokens.completion += completion * repeats;
  };

  for (const persona of personas) {
    const golden = countTokens(goldenPersonaText(persona));
    const goldenJson = countTokens(JSON.stringify(persona.golden));
    for (const condition of options.conditions) {
      let history = 0;
      for (const scene of persona.scenes) {
        const sceneText = countTokens(`${scene.description}\n${scene.context}\n${scene.expectedResponse}`);
        const query = countTokens(scene.neutralizedQuery);
        const withApis = scene.apis.length > 0 ? 1 : 0;
        // Chatbot: system prompt (instructions, persona or history, scene) plus the conversation so far, per call.
        const persona =
          condition.kind === "golden" || (condition.kind === "learning" && PROTOCOLS[settings.protocol].learningStart === "golden") ? golden : condition.kind === "learning" ? golden / 2 : 0;
        const past =
          condition.kind === "full-history" ? Math.min(history, settings.historyBudgetTokens) : condition.kind === "rag" ? Math.min(history, settings.ragTop * (query + reply.chatbot * typical)) : 0;
        const system = DRY_RUN_ASSUMPTIONS.chatbotInstructionTokens + persona + past + (settings.sceneToChatbot ? countTokens(sceneForChatbot(scene)) : 0);
        add("chatbot", 1, typical * (1 + withApis), cap * (1 + withApis));
        add("user", 1, typical, cap);
        add("tool", 0, typical * withApis, cap * withApis);
        for (let turn = 1; turn <= typical; turn++) {
          const conversation = query + (turn - 1) * (reply.chatbot + reply.user);
          spend((system + conversation) * (1 + withApis) + withApis * reply.tool, reply.chatbot * (1 + withApis));
          spend(OVERHEAD.user + golden + sceneText + conversation + reply.chatbot, reply.user);
          if (withApis) spend(OVERHEAD.tool + countTokens(`${scene.description}\n${scene.context}`) + 50, reply.tool);
        }
        history += query + typical * (reply.chatbot + reply.user);
        if (settings.judge) {
          judgeCalls.firstReply += repeats;
          add("judge", 1, 1, 1);
          spend(OVERHEAD.firstReply + golden + sceneText + query + reply.chatbot, reply.judge);
          if (condition.kind === "learning" && hasGolden) {
            judgeCalls.pairwise += 2 * repeats;
            add("judge", 2, 2, 2);
            spend(2 * (OVERHEAD.pairwise + golden + sceneText + query + 2 * reply.chatbot), 2 * reply.judge);
          }
        }
      }
      const runs = learningRuns(condition, persona.scenes.length, settings);
      if (runs) {
        add("learner", runs, runs, runs);
        const window = PROTOCOLS[settings.protocol].window?.sessions ?? (condition.kind === "learning" ? condition.updateEvery : 0);
        spend(runs * (DRY_RUN_ASSUMPTIONS.learnerPromptTokens + golden + window * (typical * (reply.chatbot + reply.user))), runs * reply.learner);
      }
      if (condition.kind === "learning" && settings.judge) {
        judgeCalls.similarity += repeats;
        add("judge", 1, 1, 1);
        spend(OVERHEAD.similarity + 2 * goldenJson, reply.judge);
      }
    }
  }
  const total = { atOneTurn: 0, typical: 0, atCap: 0 };
  for (const role of BENCH_ROLES) {
    total.atOneTurn += calls[role].atOneTurn;
    total.typical += calls[role].typical;
    total.atCap += calls[role].atCap;
  }
  return {
    personas: personas.length,
    scenes: personas.reduce((sum, p) => sum + p.scenes.length, 0),
    conditions: options.conditions.map((c) => c.id),
    repeats,
    turnCap: cap,
    calls,
    judgeCalls,
    total,
    tokens: { prompt: Math.round(tokens.prompt), completion: Math.round(tokens.completion) },
    problems: loaded.problems.filter((p) => p.severity === "error").map(formatProblem),
  };
}

/**
 * The dry run's printout.
 *
 * @param estimate - From estimateRun.
 * @returns Lines to print.
 * @example
 * ```ts no-run
 * console.log(formatEstimate(estimateRun(options)).join("\n"));
 * ```
 */
export function formatEstimate(estimate: DryRunEstimate): string[] {
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const typical = Math.min(DRY_RUN_ASSUMPTIONS.typicalTurns, estimate.turnCap);
  const rows = [
    ["role", "at 1 turn/scene", `at ${typical} turns/scene`, `at the cap (${estimate.turnCap})`],
    ...BENCH_ROLES.map((role) => [role, n(estimate.calls[role].atOneTurn), n(estimate.calls[role].typical), n(estimate.calls[role].atCap)]),
    ["total", n(estimate.total.atOneTurn), n(estimate.total.typical), n(estimate.total.atCap)],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return [
    `dry run: ${estimate.personas} personas, ${estimate.scenes} scenes, conditions ${estimate.conditions.join(",")}, repeats ${estimate.repeats}; no model is called`,
    "",
    ...rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ")),
    "",
    `judge calls: ${n(estimate.judgeCalls.firstReply)} first-reply, ${n(estimate.judgeCalls.similarity)} similarity, ${n(estimate.judgeCalls.pairwise)} pairwise (both orders)`,
    `tokens at ${typical} turns/scene: about ${n(estimate.tokens.prompt)} prompt, ${n(estimate.tokens.completion)} completion ` +
      `(assumed reply lengths: ${Object.entries(DRY_RUN_ASSUMPTIONS.replyTokens).map(([r, t]) => `${r} ${t}`).join(", ")} tokens)`,
    ...(estimate.problems.length ? ["", `${estimate.problems.length} files cannot be used:`, ...estimate.problems.slice(0, 5).map((p) => `  ${p}`)] : []),
  ];
}
