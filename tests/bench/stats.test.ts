import { bootstrapMean, pairedDifference } from "../../src/bench.js";
import { seededRandom } from "../../src/bench/stats/bootstrap.js";

describe("bootstrap intervals on data with known answers", () => {
  test("no data, one value, constant values", () => {
    expect(bootstrapMean([])).toEqual({ mean: null, low: null, high: null, n: 0 });
    expect(bootstrapMean([3])).toEqual({ mean: 3, low: null, high: null, n: 1 });
    expect(bootstrapMean([2, 2, 2, 2])).toEqual({ mean: 2, low: 2, high: 2, n: 4 });
  });

  test("two values 0 and 1: resampled means are 0, ½ or 1, so the 95 % interval is [0, 1]", () => {
    expect(bootstrapMean([0, 1])).toEqual({ mean: 0.5, low: 0, high: 1, n: 2 });
  });

  test("400 coin flips: the interval matches the normal approximation ±1.96·√(p(1−p)/n)", () => {
    const values = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const interval = bootstrapMean(values, { resamples: 4000 });
    const half = 1.96 * Math.sqrt(0.25 / 400);
    expect(interval.mean).toBe(0.5);
    expect(interval.low!).toBeCloseTo(0.5 - half, 1);
    expect(interval.high!).toBeCloseTo(0.5 + half, 1);
    expect(Math.abs(interval.low! - (0.5 - half))).toBeLessThan(0.012);
    expect(Math.abs(interval.high! - (0.5 + half))).toBeLessThan(0.012);
  });

  test("the same seed gives the same interval; the interval is inside the data's range", () => {
    const values = [1, 4, 2, 8, 5, 7];
    expect(bootstrapMean(values)).toEqual(bootstrapMean(values));
    const interval = bootstrapMean(values);
    expect(interval.low!).toBeGreaterThanOrEqual(1);
    expect(interval.high!).toBeLessThanOrEqual(8);
    expect(interval.low!).toBeLessThan(interval.mean!);
    expect(interval.high!).toBeGreaterThan(interval.mean!);
    const draws = Array.from({ length: 1000 }, seededRandom(7));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });

  test("paired differences: a constant shift has a zero-width interval; unpaired personas are left out", () => {
    const golden = new Map([["a", 1], ["b", 2], ["c", 3]]);
    const learning = new Map([["a", 1.5], ["b", 2.5], ["c", 3.5], ["d", 9]]);
    expect(pairedDifference(learning, golden)).toEqual({ mean: 0.5, low: 0.5, high: 0.5, n: 3 });
    expect(pairedDifference(new Map([["x", 1]]), golden)).toEqual({ mean: null, low: null, high: null, n: 0 });
  });
});
