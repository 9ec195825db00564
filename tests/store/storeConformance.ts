import type { BaseStore } from "@langchain/langgraph";
import { commitAtomically, revOf } from "../../src/store/atomicCommit.js";

export interface StoreUnderTest {
  store: BaseStore;
  cleanup?: () => Promise<void> | void;
}

const sortKeys = (items: Array<{ key: string }>) => items.map((item) => item.key).sort();

/**
 * The BaseStore behaviour persona memory relies on. Every backend runs the same
 * spec through its own factory; each test gets a fresh, empty store.
 */
export function describeStoreConformance(name: string, open: () => Promise<StoreUnderTest> | StoreUnderTest): void {
  describe(`${name} conforms to the store spec`, () => {
    let subject: StoreUnderTest;
    let store: BaseStore;
    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup?.();
    });

    it("puts, gets, overwrites and deletes items", async () => {
      expect(await store.get(["docs"], "missing")).toBeNull();
      await store.put(["docs"], "a", { text: "one", n: 1 });
      const first = await store.get(["docs"], "a");
      expect(first?.value).toEqual({ text: "one", n: 1 });
      expect(first?.namespace).toEqual(["docs"]);
      expect(first?.key).toBe("a");
      expect(first?.createdAt).toBeInstanceOf(Date);
      await store.put(["docs"], "a", { text: "two" });
      const second = await store.get(["docs"], "a");
      expect(second?.value).toEqual({ text: "two" });
      expect(second!.updatedAt.getTime()).toBeGreaterThanOrEqual(first!.createdAt.getTime());
      await store.delete(["docs"], "a");
      expect(await store.get(["docs"], "a")).toBeNull();
    });

    it("keeps nested JSON values and Unicode keys intact", async () => {
      const value = { nested: { list: [1, "二", null, { deep: true }] }, emoji: "🙂", zh: "喜欢古典文学" };
      await store.put(["用户", "张伟"], "键/with slash", value);
      expect((await store.get(["用户", "张伟"], "键/with slash"))?.value).toEqual(value);
    });

    it("searches by whole namespace labels: u1 never returns u10", async () => {
      await store.put(["persona", "u1"], "current", { who: "u1" });
      await store.put(["persona", "u1", "history"], "1", { who: "u1" });
      await store.put(["persona", "u10"], "current", { who: "u10" });
      await store.put(["persona", "u10", "history"], "1", { who: "u10" });
      await store.put(["persona", "u"], "current", { who: "u" });
      const found = await store.search(["persona", "u1"], { limit: 100 });
      expect(found.map((item) => item.value.who)).toEqual(["u1", "u1"]);
      expect(found.map((item) => item.namespace.join("/")).sort()).toEqual(["persona/u1", "persona/u1/history"]);
      expect(await store.search(["persona", "u1", "history"], { limit: 100 })).toHaveLength(1);
      expect(await store.search(["persona"], { limit: 100 })).toHaveLength(5);
      expect(await store.search([], { limit: 100 })).toHaveLength(5);
    });

    it("filters on value fields with equality and operators", async () => {
      for (let i = 0; i < 6; i++) {
        await store.put(["sessions"], `s${i}`, { status: i % 2 ? "ended" : "open", n: i });
      }
      expect(sortKeys(await store.search(["sessions"], { filter: { status: "ended" } }))).toEqual(["s1", "s3", "s5"]);
      expect(sortKeys(await store.search(["sessions"], { filter: { n: { $gt: 3 } } }))).toEqual(["s4", "s5"]);
      expect(sortKeys(await store.search(["sessions"], { filter: { n: { $gte: 1, $lt: 3 } } }))).toEqual(["s1", "s2"]);
      expect(sortKeys(await store.search(["sessions"], { filter: { status: { $ne: "ended" } } }))).toEqual([
        "s0",
        "s2",
        "s4",
      ]);
      expect(sortKeys(await store.search(["sessions"], { filter: { status: "ended", n: 3 } }))).toEqual(["s3"]);
      expect(await store.search(["sessions"], { filter: { status: "gone" } })).toEqual([]);
    });

    it("pages with limit and offset, applied after the filter", async () => {
      for (let i = 0; i < 25; i++) await store.put(["pages"], `k${String(i).padStart(2, "0")}`, { even: i % 2 === 0 });
      expect(await store.search(["pages"])).toHaveLength(10);
      const seen: string[] = [];
      for (let offset = 0; offset < 30; offset += 7) {
        seen.push(...(await store.search(["pages"], { limit: 7, offset })).map((item) => item.key));
      }
      expect(seen).toHaveLength(25);
      expect(new Set(seen).size).toBe(25);
      const evens: string[] = [];
      for (let offset = 0; offset < 20; offset += 5) {
        evens.push(...(await store.search(["pages"], { filter: { even: true }, limit: 5, offset })).map((i) => i.key));
      }
      expect(evens.sort()).toEqual(
        Array.from({ length: 13 }, (_, i) => `k${String(i * 2).padStart(2, "0")}`),
      );
    });

    it("lists namespaces with prefix, suffix, wildcard and depth", async () => {
      await store.put(["persona", "a", "history"], "1", { x: 1 });
      await store.put(["persona", "a", "sessions"], "1", { x: 1 });
      await store.put(["persona", "b", "history"], "1", { x: 1 });
      await store.put(["other", "a"], "1", { x: 1 });
      const all = await store.listNamespaces({ limit: 100 });
      expect(all.map((ns) => ns.join("/")).sort()).toEqual([
        "other/a",
        "persona/a/history",
        "persona/a/sessions",
        "persona/b/history",
      ]);
      const prefixed = await store.listNamespaces({ prefix: ["persona", "a"], limit: 100 });
      expect(prefixed.map((ns) => ns.join("/")).sort()).toEqual(["persona/a/history", "persona/a/sessions"]);
      const suffixed = await store.listNamespaces({ suffix: ["history"], limit: 100 });
      expect(suffixed.map((ns) => ns.join("/")).sort()).toEqual(["persona/a/history", "persona/b/history"]);
      const wildcard = await store.listNamespaces({ prefix: ["persona", "*", "history"], limit: 100 });
      expect(wildcard).toHaveLength(2);
      const shallow = await store.listNamespaces({ prefix: ["persona"], maxDepth: 2, limit: 100 });
      expect(shallow.map((ns) => ns.join("/")).sort()).toEqual(["persona/a", "persona/b"]);
      const paged = await store.listNamespaces({ limit: 2, offset: 1 });
      expect(paged).toHaveLength(2);
    });

    it("rejects namespace labels containing a period", async () => {
      await expect(store.put(["bad.label"], "k", { x: 1 })).rejects.toThrow(/period/i);
    });

    it("applies a conditional commit only when every expected revision matches", async () => {
      const ns = ["cas"];
      expect(await commitAtomically(store, [{ namespace: ns, key: "doc", value: { rev: 1 }, expectRev: null }])).toBe(true);
      expect(await commitAtomically(store, [{ namespace: ns, key: "doc", value: { rev: 9 }, expectRev: null }])).toBe(false);
      const conflicting = await commitAtomically(store, [
        { namespace: ns, key: "doc", value: { rev: 2 }, expectRev: 1 },
        { namespace: ns, key: "side", value: { rev: 1, note: "must not be written" }, expectRev: null },
        { namespace: ns, key: "other", value: { rev: 2 }, expectRev: 5 },
      ]);
      expect(conflicting).toBe(false);
      expect((await store.get(ns, "doc"))?.value).toEqual({ rev: 1 });
      expect(await store.get(ns, "side")).toBeNull();
      expect(
        await commitAtomically(store, [
          { namespace: ns, key: "doc", value: { rev: 2 }, expectRev: 1 },
          { namespace: ns, key: "side", value: { rev: 1 } },
        ]),
      ).toBe(true);
      expect(revOf((await store.get(ns, "doc"))?.value)).toBe(2);
      expect(revOf((await store.get(ns, "side"))?.value)).toBe(1);
    });

    it("loses no increment when many conditional commits race", async () => {
      const ns = ["counter"];
      await store.put(ns, "c", { rev: 0, count: 0 });
      const increment = async () => {
        for (;;) {
          const current = (await store.get(ns, "c"))!.value as { rev: number; count: number };
          const next = { rev: current.rev + 1, count: current.count + 1 };
          if (await commitAtomically(store, [{ namespace: ns, key: "c", value: next, expectRev: current.rev }])) return;
        }
      };
      await Promise.all(Array.from({ length: 40 }, increment));
      expect((await store.get(ns, "c"))?.value).toEqual({ rev: 40, count: 40 });
    });
  });
}
