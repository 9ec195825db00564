import type { BenchRole, CostByRole } from "../cost.js";
import type { RoleModelInfo } from "../models.js";
import type { Interval } from "../stats/bootstrap.js";

/** "2.10 [1.80, 2.40]"; "2.10" without an interval (one persona); "–" without data. */
export function formatInterval(interval: Interval | undefined, digits = 2, percent = false): string {
  if (!interval || interval.mean === null) return "–";
  const f = (x: number) => (percent ? `${(x * 100).toFixed(0)}%` : x.toFixed(digits));
  return interval.low === null || interval.high === null ? f(interval.mean) : `${f(interval.mean)} [${f(interval.low)}, ${f(interval.high)}]`;
}

/** A signed difference with its interval: "+0.30 [+0.10, +0.50]". */
export function formatDifference(interval: Interval | undefined, digits = 2, percent = false): string {
  if (!interval || interval.mean === null) return "–";
  const f = (x: number) => {
    const text = percent ? `${(x * 100).toFixed(0)}%` : x.toFixed(digits);
    return x > 0 ? `+${text}` : text;
  };
  return interval.low === null || interval.high === null ? f(interval.mean) : `${f(interval.mean)} [${f(interval.low)}, ${f(interval.high)}]`;
}

export const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? "–" : `${(value * 100).toFixed(value > 0 && value < 0.01 ? 1 : 0)}%`;

export const thousands = (n: number) => n.toLocaleString("en-US");

/** The mark of a figure whose inputs had failures or unreadable replies. */
export const MARK = "*";

/** A Markdown table; columns after the first are right-aligned unless `align` says otherwise. */
export function markdownTable(header: string[], rows: string[][], align?: string[]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `|${(align ?? header.map((_, i) => (i === 0 ? "---" : "---:"))).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
}

/** The table of the model, endpoint and temperature each role ran with. */
export function modelTable(roles: readonly BenchRole[], models: Partial<Record<BenchRole, RoleModelInfo>>): string[] {
  return markdownTable(
    ["role", "model", "endpoint", "temperature"],
    roles.map((role) => {
      const m = models[role];
      return [role, m?.model ?? "?", m?.baseURL ?? "?", m?.temperature === undefined ? "endpoint default" : String(m.temperature)];
    }),
    ["---", "---", "---", "---"],
  );
}

/** One row of the cost table: a condition's totals, its calls per role and its wall time. */
export interface CostRow {
  condition: string;
  cost: CostByRole & { total: { calls: number; promptTokens: number; completionTokens: number } };
  wallMs: number;
}

/** The cost table: calls and tokens per condition, calls per role, and the wall time under `wallLabel`. */
export function costTable(roles: readonly BenchRole[], rows: readonly CostRow[], wallLabel: string): string[] {
  return markdownTable(
    ["condition", "model calls", "prompt tokens", "completion tokens", ...roles.map((role) => `${role} calls`), wallLabel],
    rows.map((row) => [
      row.condition,
      thousands(row.cost.total.calls),
      thousands(row.cost.total.promptTokens),
      thousands(row.cost.total.completionTokens),
      ...roles.map((role) => thousands(row.cost[role]?.calls ?? 0)),
      `${(row.wallMs / 1000).toFixed(1)} s`,
    ]),
  );
}
