/**
 * A mean over personas with its 95 % bootstrap confidence interval.
 * @example
 * const { mean, low, high }: Interval = bootstrapMean([7, 8, 6, 9]);
 */
export interface Interval {
  /** Mean of the per-persona values; null without data. */
  mean: number | null;
  /** Percentile bootstrap bounds; null with fewer than two personas. */
  low: number | null;
  high: number | null;
  /** Personas the mean is over. */
  n: number;
}

/** Resamples and seed of every interval in a report (fixed, so a report rebuilds identically). */
export const BOOTSTRAP = { resamples: 2000, seed: 20241217, level: 0.95 } as const;

/** mulberry32: a small seeded generator, so intervals are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function quantile(sorted: number[], q: number): number {
  // Type 7 (linear interpolation between order statistics).
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/**
 * Mean of `values` (one per persona) with a percentile bootstrap interval:
 * `resamples` resamples of the personas with replacement, the interval's
 * bounds at (1 − level)/2 and (1 + level)/2 of the resampled means.
 *
 * @param values - One value per persona; non-finite values are ignored.
 * @param options - Resamples, seed and level. @default BOOTSTRAP
 * @returns The interval; bounds are null below two values.
 * @example
 * ```ts no-run
 * bootstrapMean([1, 2, 3, 4]); // { mean: 2.5, low: ≈1.5, high: ≈3.5, n: 4 }
 * ```
 */
export function bootstrapMean(
  values: number[],
  options: { resamples?: number; seed?: number; level?: number } = {},
): Interval {
  const data = values.filter(Number.isFinite);
  const n = data.length;
  if (n === 0) return { mean: null, low: null, high: null, n: 0 };
  const mean = data.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, low: null, high: null, n };
  const resamples = options.resamples ?? BOOTSTRAP.resamples;
  const level = options.level ?? BOOTSTRAP.level;
  const random = seededRandom(options.seed ?? BOOTSTRAP.seed);
  const means = new Array<number>(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data[Math.floor(random() * n)];
    means[r] = sum / n;
  }
  means.sort((a, b) => a - b);
  // Rounding noise of the float sums must not put a bound outside the data's range.
  const clamp = (x: number) => Math.min(Math.max(x, Math.min(...data)), Math.max(...data));
  return { mean, low: clamp(quantile(means, (1 - level) / 2)), high: clamp(quantile(means, (1 + level) / 2)), n };
}

/**
 * The mean difference a − b over the keys present in both (paired by
 * persona), with its bootstrap interval.
 *
 * @param a - Per-persona values of one condition.
 * @param b - Per-persona values of the other.
 * @returns The interval of the paired differences.
 * @example
 * ```ts no-run
 * pairedDifference(new Map([["p1", 2]]), new Map([["p1", 1.5]])); // mean 0.5, n 1
 * ```
 * @param options - `resamples` (default 2000) and `seed` (default 20241217) of the bootstrap
 */
export function pairedDifference(a: Map<string, number>, b: Map<string, number>, options: { resamples?: number; seed?: number } = {}): Interval {
  const differences: number[] = [];
  for (const [key, value] of a) {
    const other = b.get(key);
    if (other !== undefined && Number.isFinite(value) && Number.isFinite(other)) differences.push(value - other);
  }
  return bootstrapMean(differences, options);
}
