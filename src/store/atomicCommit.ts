import type { BaseStore } from "@langchain/langgraph";

/**
 * One write of an atomic commit. With `expectRev` set, the commit only happens
 * if the stored item's revision equals it (`null`: the item must not exist).
 * An item's revision is its value's numeric `rev` field, 0 when the value has
 * none (see {@link revOf}).
 *
 * @example
 * const write: AtomicWrite = { namespace: ["persona", "u1"], key: "current", value: { rev: 2 }, expectRev: 1 };
 */
export interface AtomicWrite {
  namespace: string[];
  key: string;
  /** The new value; `null` deletes the item. */
  value: Record<string, unknown> | null;
  /** Required revision of the stored item; `null`: must not exist; omitted: no condition. */
  expectRev?: number | null;
}

/**
 * A store that can apply several conditional writes as one transaction.
 *
 * @example
 * if (supportsAtomicCommit(store)) await store.commitAtomically([{ namespace: ["a"], key: "k", value: { rev: 1 }, expectRev: null }]);
 */
export interface AtomicCommitStore {
  /**
   * @param writes the writes, each (ns, key) at most once
   * @returns true when every condition held and all writes were applied, false when none was
   */
  commitAtomically(writes: AtomicWrite[]): Promise<boolean>;
}

/**
 * True when the store implements `commitAtomically` itself (SqliteStore, PostgresStore).
 *
 * @param store any object
 * @returns whether it is an AtomicCommitStore
 * @example
 * supportsAtomicCommit(new SqliteStore(":memory:")); // true
 */
export function supportsAtomicCommit(store: unknown): store is AtomicCommitStore {
  return typeof (store as AtomicCommitStore | undefined)?.commitAtomically === "function";
}

/**
 * The revision of a stored value: its numeric `rev` field, 0 for a value
 * without one, null for no value. SqliteStore and PostgresStore keep the same
 * number in a generated `rev` column, so a check never parses the value.
 *
 * @param value a stored value, or null/undefined for a missing item
 * @returns the revision, or null when there is no item
 * @example
 * revOf({ rev: 3 }); // 3
 * revOf({}); // 0
 * revOf(null); // null
 */
export function revOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const rev = (value as { rev?: unknown }).rev;
  return typeof rev === "number" ? rev : 0;
}

/**
 * Rejects a commit that names one item twice: its outcome would depend on the
 * order the conditions are checked in.
 *
 * @param writes the writes of one commit
 * @throws TypeError naming the repeated item
 * @example
 * assertDistinctWrites([{ namespace: ["a"], key: "k", value: null }]);
 */
export function assertDistinctWrites(writes: readonly AtomicWrite[]): void {
  const seen = new Set<string>();
  for (const write of writes) {
    const id = JSON.stringify([write.namespace, write.key]);
    if (seen.has(id)) {
      throw new TypeError(`commitAtomically: item ${write.namespace.join("/")}:${write.key} appears twice in one commit`);
    }
    seen.add(id);
  }
}

const localLocks = new WeakMap<object, Promise<unknown>>();

/**
 * Inside a graph run, `config.store` is LangGraph's AsyncBatchedStore wrapper;
 * the store the caller compiled with sits behind it.
 *
 * @param store a store, possibly LangGraph's batching wrapper
 * @returns the store behind the wrapper, or `store` itself
 * @example
 * const store = unwrapStore(config.store!);
 */
export function unwrapStore(store: BaseStore): BaseStore {
  const wrapper = store as BaseStore & { lg_name?: string; store?: BaseStore };
  return wrapper.lg_name === "AsyncBatchedStore" && wrapper.store ? wrapper.store : store;
}

/**
 * Applies the writes only if every condition holds. Stores that implement
 * `commitAtomically` (SqliteStore, PostgresStore) do it in one database
 * transaction, safe across processes; for any other BaseStore the check and
 * the writes run under a lock held by this process, which is safe within one
 * process only.
 *
 * @param wrapped the store (LangGraph's batching wrapper is looked through)
 * @param writes the writes, each item at most once
 * @returns true when every condition held and all writes were applied, false when none was
 * @example
 * const ok = await commitAtomically(store, [
 *   { namespace: ["persona", "u1"], key: "current", value: { rev: 2, persona: {} }, expectRev: 1 },
 * ]);
 */
export async function commitAtomically(wrapped: BaseStore, writes: AtomicWrite[]): Promise<boolean> {
  const store = unwrapStore(wrapped);
  if (supportsAtomicCommit(store)) return store.commitAtomically(writes);
  assertDistinctWrites(writes);
  const previous = localLocks.get(store) ?? Promise.resolve();
  const run = previous.then(async () => {
    for (const write of writes) {
      if (write.expectRev === undefined) continue;
      const item = await store.get(write.namespace, write.key);
      if (revOf(item?.value) !== write.expectRev) return false;
    }
    await store.batch(
      writes.map((write) => ({ namespace: write.namespace, key: write.key, value: write.value })),
    );
    return true;
  });
  localLocks.set(
    store,
    run.catch(() => undefined),
  );
  return run;
}
