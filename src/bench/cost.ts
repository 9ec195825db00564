import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { LLMResult } from "@langchain/core/outputs";
import type { AIMessage } from "@langchain/core/messages";

/**
 * The model roles of a benchmark run. The learner is the chatbot graph's persona learner.
 * @example
 * for (const role of BENCH_ROLES) console.log(role, summary.conditions[0]?.cost[role]?.calls ?? 0);
 */
export const BENCH_ROLES = ["chatbot", "learner", "user", "tool", "judge"] as const;
/**
 * A model role of a benchmark run: chatbot, learner, user, tool or judge.
 * @example
 * const role: BenchRole = "judge";
 */
export type BenchRole = (typeof BENCH_ROLES)[number];

/**
 * Model calls of one role: how many, how many failed, and their tokens.
 * @example
 * const cost: RoleCost = { calls: 3, failed: 0, promptTokens: 1200, completionTokens: 300, callsWithoutUsage: 0 };
 */
export interface RoleCost {
  /** Calls made, failed ones included. */
  calls: number;
  /** Calls that ended in an error (after the client's own retries). */
  failed: number;
  promptTokens: number;
  completionTokens: number;
  /** Answered calls whose reply carried no usage figures (tokens then undercount). */
  callsWithoutUsage: number;
}

/**
 * Model calls and tokens by role; roles that made no call are absent.
 * @example
 * const judgeCalls = (cost: CostByRole) => cost.judge?.calls ?? 0;
 */
export type CostByRole = Partial<Record<BenchRole, RoleCost>>;

export function emptyCost(): RoleCost {
  return { calls: 0, failed: 0, promptTokens: 0, completionTokens: 0, callsWithoutUsage: 0 };
}

/** Adds two per-role costs; records written before `failed` existed count as 0 failed. */
export function addCosts(a: CostByRole, b: CostByRole): CostByRole {
  const out: CostByRole = {};
  for (const role of BENCH_ROLES) {
    const x = a[role];
    const y = b[role];
    if (!x && !y) continue;
    const sum = emptyCost();
    for (const part of [x, y]) {
      if (!part) continue;
      sum.calls += part.calls;
      sum.failed += part.failed ?? 0;
      sum.promptTokens += part.promptTokens;
      sum.completionTokens += part.completionTokens;
      sum.callsWithoutUsage += part.callsWithoutUsage;
    }
    out[role] = sum;
  }
  return out;
}

function usageOf(output: LLMResult): { prompt: number; completion: number } | undefined {
  const generation = output.generations?.[0]?.[0] as { message?: AIMessage } | undefined;
  const usage = generation?.message?.usage_metadata;
  if (usage) return { prompt: usage.input_tokens ?? 0, completion: usage.output_tokens ?? 0 };
  const tokenUsage = (output.llmOutput?.tokenUsage ?? output.llmOutput?.estimatedTokenUsage) as
    | { promptTokens?: number; completionTokens?: number }
    | undefined;
  if (tokenUsage) return { prompt: tokenUsage.promptTokens ?? 0, completion: tokenUsage.completionTokens ?? 0 };
  return undefined;
}

/** The last failed call a meter saw. */
export interface FailedCall {
  role: BenchRole;
  error: string;
}

/**
 * Counts model calls, failures and tokens per role. Attach `handler(role)` to
 * a model's own callbacks (constructor option), so every call of that model is
 * counted once, whatever graph or tool runs it, and a failure is counted even
 * when the caller swallows it (the library's learner, LangGraph's tool node).
 */
export class CostMeter {
  private costs: CostByRole = {};
  /** The most recent failed call, if any. */
  lastFailure: FailedCall | undefined;

  handler(role: BenchRole): BaseCallbackHandler {
    const record = (output: LLMResult) => {
      const cost = (this.costs[role] ??= emptyCost());
      cost.calls += 1;
      const usage = usageOf(output);
      if (usage) {
        cost.promptTokens += usage.prompt;
        cost.completionTokens += usage.completion;
      } else {
        cost.callsWithoutUsage += 1;
      }
    };
    const fail = (error: unknown) => {
      const cost = (this.costs[role] ??= emptyCost());
      cost.calls += 1;
      cost.failed += 1;
      this.lastFailure = { role, error: firstLine(error) };
    };
    return BaseCallbackHandler.fromMethods({ handleLLMEnd: record, handleLLMError: fail });
  }

  /** Costs since the last `take`, and starts counting afresh. */
  take(): CostByRole {
    const costs = this.costs;
    this.costs = {};
    return costs;
  }

  /** Costs since the last `take`, without resetting. */
  peek(): CostByRole {
    return addCosts(this.costs, {});
  }
}

/** Calls and tokens of all roles together. */
export function costTotals(cost: CostByRole): { calls: number; promptTokens: number; completionTokens: number } {
  const total = { calls: 0, promptTokens: 0, completionTokens: 0 };
  for (const role of BENCH_ROLES) {
    const c = cost[role];
    if (!c) continue;
    total.calls += c.calls;
    total.promptTokens += c.promptTokens;
    total.completionTokens += c.completionTokens;
  }
  return total;
}

/** The first line of an error's message. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}
