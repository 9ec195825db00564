import { countTokens, formatPrompt } from "../../render.js";
import { formatProblem } from "../data/loadPersonaBench.js";
import { DRY_RUN_ASSUMPTIONS } from "../dryRun.js";
import { playsSessionOne, type PrefEvalCondition } from "./conditions.js";
import { loadPrefEval, selectItems } from "./data/loadPrefEval.js";
import { PREFEVAL_FORMS, type PrefEvalForm } from "./data/types.js";
import { JUDGE_ACKNOWLEDGMENT } from "./prompts/judgeAcknowledgment.js";
import { JUDGE_HALLUCINATION } from "./prompts/judgeHallucination.js";
import { JUDGE_HELPFULNESS } from "./prompts/judgeHelpfulness.js";
import { JUDGE_STORED_PREFERENCE } from "./prompts/judgeStoredPreference.js";
import { JUDGE_VIOLATION } from "./prompts/judgeViolation.js";
import { PREFEVAL_REMINDER } from "./prompts/reminder.js";
import { DEFAULT_FILLERS } from "./runPrefEval.js";

/**
 * What the PrefEval estimate assumes, in tokens: reply lengths, the chatbot's
 * instructions, the learner's and the semantic guard's prompts around the
 * session, the learner's session budget (the graph's default), and a learned
 * persona's size in the chatbot's prompt.
 * @example
 * console.log(`assumes ${PREFEVAL_DRY_RUN_ASSUMPTIONS.replyTokens.chatbot} tokens per chatbot reply`);
 */
export const PREFEVAL_DRY_RUN_ASSUMPTIONS = {
  replyTokens: { chatbot: 300, judge: 60, learner: 200, guard: 80 },
  chatbotInstructionTokens: DRY_RUN_ASSUMPTIONS.chatbotInstructionTokens,
  learnerPromptTokens: DRY_RUN_ASSUMPTIONS.learnerPromptTokens,
  learnerSessionBudgetTokens: 2000,
  guardPromptTokens: 450,
  learnedPersonaTokens: 80,
};

/**
 * Calls of one role: the fewest (no reply acknowledges a preference, nothing learned) and the most (every check asked).
 * @example
 * const { fewest, most }: PrefEvalCallRange = estimate.calls.judge;
 */
export interface PrefEvalCallRange {
  fewest: number;
  most: number;
}

/**
 * What a PrefEval run would cost, computed from the data without a model call: the selection,
 * and the fewest and most calls and tokens per role.
 * @example
 * const estimate: PrefEvalEstimate = estimatePrefEval({ data, conditions: ["none"], semanticGuard: false });
 * console.log(formatPrefEvalEstimate(estimate).join("\n"));
 */
export interface PrefEvalEstimate {
  dir: string;
  /** Items per form and topic. */
  items: Record<PrefEvalForm, Record<string, number>>;
  forms: PrefEvalForm[];
  topics: string[];
  totalItems: number;
  conditions: PrefEvalCondition[];
  fillers: number[];
  /** Item runs per condition (conditions that do not play session 1: one per item). */
  runs: Partial<Record<PrefEvalCondition, number>>;
  totalRuns: number;
  calls: { chatbot: PrefEvalCallRange; learner: PrefEvalCallRange; judge: PrefEvalCallRange };
  total: PrefEvalCallRange;
  /** Tokens at the most calls. */
  tokens: { prompt: number; completion: number };
  semanticGuard: boolean;
  fillerExchanges: number;
  problems: string[];
}

/**
 * Options of {@link estimatePrefEval}: the data folder, conditions and selection.
 * @example
 * estimatePrefEval({ data, conditions: parsePrefEvalConditions("none,persona"), items: 2, semanticGuard: true } satisfies PrefEvalDryRunOptions);
 */
export interface PrefEvalDryRunOptions {
  data: string;
  conditions: PrefEvalCondition[];
  /**
   * The forms to estimate.
   * @default all three
   */
  forms?: PrefEvalForm[];
  /**
   * The topics to estimate.
   * @default every topic in the data
   */
  topics?: string[];
  /**
   * The first N items of each form and topic.
   * @default all
   */
  items?: number;
  /** @default [0, 5, 10] */
  fillers?: number[];
  semanticGuard: boolean;
}

const fill = (template: string, keys: string[]) => formatPrompt(template, Object.fromEntries(keys.map((k) => [k, ""])));

/**
 * Estimates the model calls and tokens a PrefEval run would need, from the
 * data and the selection, without calling any model. Per item run: the
 * chatbot answers the question (and, in the explicit form, the statement of
 * session 1 when the condition plays it); the persona condition adds one
 * learning run (plus one semantic-guard call when the guard is on) and the
 * stored-preference check; the judge asks three checks, four when the reply
 * acknowledges a preference. Retries after unreadable replies are not counted.
 *
 * @param options - Data, selection, conditions and the guard setting.
 * @returns The estimate.
 * @example
 * ```ts no-run
 * console.log(formatPrefEvalEstimate(estimatePrefEval({ data, conditions: ["none", "persona"], semanticGuard: true })).join("\n"));
 * ```
 */
export function estimatePrefEval(options: PrefEvalDryRunOptions): PrefEvalEstimate {
  const loaded = loadPrefEval(options.data, options.forms ? { forms: options.forms } : {});
  const items = selectItems(loaded, { forms: options.forms, topics: options.topics, items: options.items });
  const fillers = [...new Set(options.fillers ?? DEFAULT_FILLERS)].sort((a, b) => a - b);
  const a = PREFEVAL_DRY_RUN_ASSUMPTIONS;
  const reply = a.replyTokens;
  const overhead = {
    violation: countTokens(fill(JUDGE_VIOLATION, ["preference", "question", "reply"])),
    acknowledgment: countTokens(fill(JUDGE_ACKNOWLEDGMENT, ["question", "reply"])),
    hallucination: countTokens(fill(JUDGE_HALLUCINATION, ["preference", "restated"])),
    helpfulness: countTokens(fill(JUDGE_HELPFULNESS, ["question", "reply"])),
    stored: countTokens(fill(JUDGE_STORED_PREFERENCE, ["preference", "persona"])),
    reminder: countTokens(fill(PREFEVAL_REMINDER, ["preference", "question"])),
  };
  // Tokens of the first F filler exchanges, for every F.
  const fillerTokens = [0];
  for (const pair of loaded.fillers.slice(0, Math.max(0, ...fillers))) fillerTokens.push(fillerTokens.at(-1)! + countTokens(pair.user) + countTokens(pair.assistant));
  const calls = { chatbot: { fewest: 0, most: 0 }, learner: { fewest: 0, most: 0 }, judge: { fewest: 0, most: 0 } };
  const tokens = { prompt: 0, completion: 0 };
  const runs: Partial<Record<PrefEvalCondition, number>> = {};

  for (const item of items) {
    const preference = countTokens(item.preference);
    const question = countTokens(item.question);
    // Session 1's own exchanges; the explicit statement's reply is the chatbot's (assumed length).
    const exchanges = item.turns.reduce((sum, t) => sum + countTokens(t.user) + (t.assistant === undefined ? reply.chatbot : countTokens(t.assistant)), 0);
    const generated = item.turns.filter((t) => t.assistant === undefined).length;
    for (const condition of options.conditions) {
      for (const f of playsSessionOne(condition) ? fillers : [null]) {
        runs[condition] = (runs[condition] ?? 0) + 1;
        const system = a.chatbotInstructionTokens + (condition === "golden" ? preference + 20 : condition === "persona" ? a.learnedPersonaTokens : 0);
        const session1 = f === null ? 0 : exchanges + (fillerTokens[f] ?? fillerTokens.at(-1)!);
        if (f !== null && generated) {
          calls.chatbot.fewest += generated;
          calls.chatbot.most += generated;
          tokens.prompt += a.chatbotInstructionTokens + countTokens(item.turns[0].user);
          tokens.completion += reply.chatbot;
        }
        calls.chatbot.fewest++;
        calls.chatbot.most++;
        const inSession = condition === "in-context" || condition === "reminder";
        tokens.prompt += system + (inSession ? session1 : 0) + question + (condition === "reminder" ? overhead.reminder + preference : 0);
        tokens.completion += reply.chatbot;
        if (condition === "persona") {
          const learnerCalls = options.semanticGuard ? 2 : 1;
          calls.learner.fewest += 1;
          calls.learner.most += learnerCalls;
          tokens.prompt += a.learnerPromptTokens + Math.min(session1, a.learnerSessionBudgetTokens) + (options.semanticGuard ? a.guardPromptTokens : 0);
          tokens.completion += reply.learner + (options.semanticGuard ? reply.guard : 0);
          calls.judge.most += 1;
          tokens.prompt += overhead.stored + preference + a.learnedPersonaTokens;
          tokens.completion += reply.judge;
        }
        calls.judge.fewest += 3;
        calls.judge.most += 4;
        tokens.prompt += overhead.violation + overhead.acknowledgment + overhead.helpfulness + overhead.hallucination + 2 * preference + 3 * question + 3 * reply.chatbot + 20;
        tokens.completion += 4 * reply.judge;
      }
    }
  }
  const byForm = Object.fromEntries(PREFEVAL_FORMS.filter((form) => loaded.forms.includes(form)).map((form) => [form, {} as Record<string, number>])) as Record<PrefEvalForm, Record<string, number>>;
  for (const item of items) byForm[item.form][item.topic] = (byForm[item.form][item.topic] ?? 0) + 1;
  const total = { fewest: calls.chatbot.fewest + calls.learner.fewest + calls.judge.fewest, most: calls.chatbot.most + calls.learner.most + calls.judge.most };
  return {
    dir: loaded.dir,
    items: byForm,
    forms: loaded.forms,
    topics: [...new Set(items.map((i) => i.topic))].sort(),
    totalItems: items.length,
    conditions: options.conditions,
    fillers,
    runs,
    totalRuns: Object.values(runs).reduce((s, n) => s + (n ?? 0), 0),
    calls,
    total,
    tokens: { prompt: Math.round(tokens.prompt), completion: Math.round(tokens.completion) },
    semanticGuard: options.semanticGuard,
    fillerExchanges: loaded.fillers.length,
    problems: loaded.problems.filter((p) => p.severity === "error").map(formatProblem),
  };
}

/**
 * The PrefEval dry run's printout: items per form and topic with totals, item
 * runs per condition, calls per role and tokens.
 *
 * @param estimate - From estimatePrefEval.
 * @returns Lines to print.
 * @example
 * ```ts no-run
 * process.stdout.write(formatPrefEvalEstimate(estimate).join("\n") + "\n");
 * ```
 */
export function formatPrefEvalEstimate(estimate: PrefEvalEstimate): string[] {
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const align = (rows: string[][]) => {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
  };
  const forms = Object.keys(estimate.items) as PrefEvalForm[];
  const itemRows = [
    ["items", ...estimate.topics, "total"],
    ...forms.map((form) => [form, ...estimate.topics.map((t) => n(estimate.items[form][t] ?? 0)), n(Object.values(estimate.items[form]).reduce((s, x) => s + x, 0))]),
    ["total", ...estimate.topics.map((t) => n(forms.reduce((s, form) => s + (estimate.items[form][t] ?? 0), 0))), n(estimate.totalItems)],
  ];
  const a = PREFEVAL_DRY_RUN_ASSUMPTIONS;
  const callRows = [
    ["role", "calls (fewest)", "calls (most)"],
    ...(["chatbot", "learner", "judge"] as const).map((role) => [role, n(estimate.calls[role].fewest), n(estimate.calls[role].most)]),
    ["total", n(estimate.total.fewest), n(estimate.total.most)],
  ];
  return [
    `dry run (PrefEval): ${n(estimate.totalItems)} items, conditions ${estimate.conditions.join(",")}, filler turns ${estimate.fillers.join(",")}, semantic guard ${estimate.semanticGuard ? "on" : "off"}; no model is called`,
    `data: ${estimate.dir} (${n(estimate.fillerExchanges)} filler exchanges)`,
    "",
    ...align(itemRows),
    "",
    `item runs: ${n(estimate.totalRuns)} (${estimate.conditions.map((c) => `${c} ${n(estimate.runs[c] ?? 0)}`).join(", ")}; none and golden once per item)`,
    "",
    ...align(callRows),
    "",
    "fewest: no reply acknowledges a preference (3 judge checks) and the semantic guard never runs; most: 4 checks per reply and a guard call per learning run.",
    `tokens at the most calls: about ${n(estimate.tokens.prompt)} prompt, ${n(estimate.tokens.completion)} completion ` +
      `(assumed replies: chatbot ${a.replyTokens.chatbot}, judge ${a.replyTokens.judge}, learner ${a.replyTokens.learner}, guard ${a.replyTokens.guard} tokens; retries after unreadable replies not counted)`,
    ...(estimate.problems.length ? ["", `${estimate.problems.length} data problems leave items or fillers out:`, ...estimate.problems.slice(0, 5).map((p) => `  ${p}`)] : []),
  ];
}
