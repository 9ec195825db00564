import type { BaseStore } from "@langchain/langgraph";
import { commitAtomically, revOf } from "../../src/store.js";

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

    // Labels a user id can become. Pairs like "a_b"/"axb" and "a%b"/"aXYZb" would
    // collide if a label ever reached SQL LIKE; "a*b"/"a?b"/"a[x]b" if it reached GLOB.
    const HOSTILE = ["*", "%", "_", "a_b", "axb", "a%b", "aXYZb", "a*b", "a?b", "a[x]b", "a/b", "a\\b", "it's", 'say "hi"', "用户", "🙂", "50%_off*"];

    it("stores and finds hostile labels as text in get and search", async () => {
      for (const label of HOSTILE) {
        await store.put(["persona", label], "current", { who: label });
        await store.put(["persona", label, "history"], "1", { who: label });
      }
      for (const label of HOSTILE) {
        expect((await store.get(["persona", label], "current"))?.value).toEqual({ who: label });
        const found = await store.search(["persona", label], { limit: 100 });
        expect(found.map((item) => item.namespace)).toEqual(
          expect.arrayContaining([["persona", label], ["persona", label, "history"]]),
        );
        expect(found).toHaveLength(2);
        expect(found.every((item) => item.value.who === label)).toBe(true);
      }
      expect(await store.search(["persona", "a"], { limit: 100 })).toEqual([]);
      expect(await store.search(["persona"], { limit: 1000 })).toHaveLength(HOSTILE.length * 2);
    });

    it("matches filter values with hostile text exactly", async () => {
      for (const [i, label] of HOSTILE.entries()) await store.put(["filters"], `k${i}`, { who: label });
      for (const [i, label] of HOSTILE.entries()) {
        expect((await store.search(["filters"], { filter: { who: label }, limit: 100 })).map((item) => item.key)).toEqual([`k${i}`]);
      }
    });

    it("lists namespaces with hostile labels as text; only a '*' in a condition is a wildcard", async () => {
      for (const label of HOSTILE) {
        await store.put(["persona", label], "current", { who: label });
        await store.put(["persona", label, "history"], "1", { who: label });
      }
      for (const label of HOSTILE.filter((l) => l !== "*")) {
        const listed = await store.listNamespaces({ prefix: ["persona", label], limit: 100 });
        expect(listed.map((ns) => JSON.stringify(ns)).sort()).toEqual(
          [JSON.stringify(["persona", label]), JSON.stringify(["persona", label, "history"])].sort(),
        );
        const suffixed = await store.listNamespaces({ suffix: [label], limit: 100 });
        expect(suffixed).toEqual([["persona", label]]);
      }
      // LangGraph's contract: a "*" label in a match condition matches any label.
      const wildcard = await store.listNamespaces({ prefix: ["persona", "*"], limit: 1000 });
      expect(wildcard).toHaveLength(HOSTILE.length * 2);
      // A stored "*" is a plain label: a suffix of "history" under it is only its own.
      const underStar = await store.listNamespaces({ prefix: ["persona", "*", "history"], limit: 1000 });
      expect(underStar).toHaveLength(HOSTILE.length);
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

    it("checks revisions of values without a rev field (0), deletes conditionally and checks absence", async () => {
      const ns = ["cas-edge"];
      await store.put(ns, "plain", { text: "no rev" });
      expect(await commitAtomically(store, [{ namespace: ns, key: "plain", value: { rev: 1 }, expectRev: 1 }])).toBe(false);
      expect(await commitAtomically(store, [{ namespace: ns, key: "plain", value: { rev: 1 }, expectRev: 0 }])).toBe(true);
      expect(await commitAtomically(store, [{ namespace: ns, key: "plain", value: null, expectRev: 7 }])).toBe(false);
      expect(await store.get(ns, "plain")).not.toBeNull();
      expect(await commitAtomically(store, [{ namespace: ns, key: "plain", value: null, expectRev: 1 }])).toBe(true);
      expect(await store.get(ns, "plain")).toBeNull();
      await store.put(ns, "present", { rev: 2 });
      const guarded = [
        { namespace: ns, key: "absent", value: null, expectRev: null },
        { namespace: ns, key: "written", value: { rev: 1 } },
      ];
      expect(await commitAtomically(store, guarded)).toBe(true);
      expect((await store.get(ns, "written"))?.value).toEqual({ rev: 1 });
      expect(
        await commitAtomically(store, [
          { namespace: ns, key: "present", value: null, expectRev: null },
          { namespace: ns, key: "written", value: { rev: 2 } },
        ]),
      ).toBe(false);
      expect((await store.get(ns, "written"))?.value).toEqual({ rev: 1 });
    });

    it("commits values with quotes, backslashes, braces, commas and NULL-like text intact", async () => {
      const ns = ["cas-text", 'it\'s "quoted"'];
      const values = [
        { rev: 1, text: 'a "quoted" \\ back\\slash, {brace} [bracket]' },
        { rev: 1, text: "NULL" },
        { rev: 1, text: "{}" },
        { rev: 1, text: "line\nbreak\ttab 🙂 用户" },
      ];
      const ok = await commitAtomically(
        store,
        values.map((value, i) => ({ namespace: ns, key: `k${i},{x}`, value, expectRev: null })),
      );
      expect(ok).toBe(true);
      for (const [i, value] of values.entries()) expect((await store.get(ns, `k${i},{x}`))?.value).toEqual(value);
    });

    it("rejects a commit that names one item twice", async () => {
      const ns = ["cas-twice"];
      await expect(
        commitAtomically(store, [
          { namespace: ns, key: "k", value: { rev: 1 }, expectRev: null },
          { namespace: ns, key: "k", value: { rev: 2 } },
        ]),
      ).rejects.toThrow(/appears twice/);
      expect(await store.get(ns, "k")).toBeNull();
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
