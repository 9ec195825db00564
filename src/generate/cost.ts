import type { AIMessage } from "@langchain/core/messages";

/**
 * The model roles of a generation run.
 * @example
 * for (const role of GENERATE_ROLES) console.log(role);
 */
export const GENERATE_ROLES = ["generator", "checker"] as const;
/**
 * A model role of a generation run: `generator` or `checker`.
 * @example
 * const role: GenerateRole = "checker";
 */
export type GenerateRole = (typeof GENERATE_ROLES)[number];

/**
 * Calls and tokens of one role in one stage.
 * @example
 * const cost: CallCost | undefined = state.cost["checker/filter_refine"];
 */
export interface CallCost {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** Calls whose reply carried no usage figures (tokens then undercount). */
  callsWithoutUsage: number;
}

/**
 * Costs keyed by "role/stage", e.g. "checker/filter_refine".
 * @example
 * const calls = Object.values(state.cost as CostTable).reduce((sum, cost) => sum + cost.calls, 0);
 */
export type CostTable = Record<string, CallCost>;

/**
 * Adds two cost tables (the state reducer of `cost`).
 *
 * @param a - A table.
 * @param b - Another table.
 * @returns A new table with every key's figures summed.
 * @example
 * addCosts({ "generator/seed": { calls: 1, promptTokens: 5, completionTokens: 2, callsWithoutUsage: 0 } }, {});
 */
export function addCosts(a: CostTable, b: CostTable): CostTable {
  const out: CostTable = {};
  for (const table of [a, b]) {
    for (const [key, cost] of Object.entries(table)) {
      const sum = (out[key] ??= { calls: 0, promptTokens: 0, completionTokens: 0, callsWithoutUsage: 0 });
      sum.calls += cost.calls;
      sum.promptTokens += cost.promptTokens;
      sum.completionTokens += cost.completionTokens;
      sum.callsWithoutUsage += cost.callsWithoutUsage;
    }
  }
  return out;
}

/**
 * Adds counters (the state reducer of `stats`).
 *
 * @param a - Counters.
 * @param b - More counters.
 * @returns Every key's counts summed.
 * @example
 * addCounts({ "seed.loaded": 1 }, { "seed.loaded": 2 }); // { "seed.loaded": 3 }
 */
export function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [key, count] of Object.entries(b)) out[key] = (out[key] ?? 0) + count;
  return out;
}

/**
 * Records one model reply in a cost table.
 *
 * @param table - The table to add to (changed in place).
 * @param role - Which role's model answered.
 * @param stage - Which stage asked.
 * @param reply - The reply, whose `usage_metadata` gives the tokens.
 * @example
 * recordCall(table, "generator", "seed", reply);
 */
export function recordCall(table: CostTable, role: GenerateRole, stage: string, reply: AIMessage): void {
  const cost = (table[`${role}/${stage}`] ??= { calls: 0, promptTokens: 0, completionTokens: 0, callsWithoutUsage: 0 });
  cost.calls += 1;
  const usage = reply.usage_metadata;
  if (usage) {
    cost.promptTokens += usage.input_tokens ?? 0;
    cost.completionTokens += usage.output_tokens ?? 0;
  } else {
    cost.callsWithoutUsage += 1;
  }
}
