/**
 * Maps `items` through `work` with at most `concurrency` calls in flight,
 * keeping the input order in the result.
 *
 * @param items - The inputs.
 * @param concurrency - Most calls at once (at least 1).
 * @param work - The async function.
 * @returns The outputs, in input order.
 * @example
 * await mapPool([1, 2, 3], 2, async (n) => n * 2); // [2, 4, 6]
 */
export async function mapPool<T, R>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
