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
