import type { BaseStore } from "@langchain/langgraph";

/**
 * One write of an atomic commit. With `expectRev` set, the commit only happens
 * if the stored item's `rev` field equals it (`null`: the item must not exist).
 */
export interface AtomicWrite {
  namespace: string[];
  key: string;
  /** The new value; `null` deletes the item. */
  value: Record<string, unknown> | null;
  expectRev?: number | null;
}

/** A store that can apply several conditional writes as one transaction. */
export interface AtomicCommitStore {
  commitAtomically(writes: AtomicWrite[]): Promise<boolean>;
}

export function supportsAtomicCommit(store: unknown): store is AtomicCommitStore {
  return typeof (store as AtomicCommitStore | undefined)?.commitAtomically === "function";
}

export function revOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const rev = (value as { rev?: unknown }).rev;
  return typeof rev === "number" ? rev : 0;
}

const localLocks = new WeakMap<object, Promise<unknown>>();

/**
 * Inside a graph run, `config.store` is LangGraph's AsyncBatchedStore wrapper;
 * the store the caller compiled with sits behind it.
 */
export function unwrapStore(store: BaseStore): BaseStore {
  const wrapper = store as BaseStore & { lg_name?: string; store?: BaseStore };
  return wrapper.lg_name === "AsyncBatchedStore" && wrapper.store ? wrapper.store : store;
}

/**
 * Applies the writes only if every condition holds. Stores that implement
 * `commitAtomically` (SqliteStore) do it in one database transaction, safe
 * across processes; for any other BaseStore the check and the writes run under
 * a lock held by this process, which is safe within one process only.
 */
export async function commitAtomically(wrapped: BaseStore, writes: AtomicWrite[]): Promise<boolean> {
  const store = unwrapStore(wrapped);
  if (supportsAtomicCommit(store)) return store.commitAtomically(writes);
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
