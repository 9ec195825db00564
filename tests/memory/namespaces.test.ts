import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InMemoryStore, type BaseStore } from "@langchain/langgraph";
import { personaNamespace, SqliteStore } from "../../src/store.js";
import { idProblem } from "../../src/memory/namespaces.js";
import { PersonaMemory } from "../../src/index.js";
import { recordSession } from "../helpers/sessions.js";

const USERS = ["*", "%", "_", "a*", "alice", "bob", "%2A"];

describe.each<[string, () => BaseStore]>([
  ["InMemoryStore", () => new InMemoryStore()],
  ["SqliteStore", () => new SqliteStore(join(mkdtempSync(join(tmpdir(), "persona-ns-")), "ns.db"))],
])("user ids with wildcard characters are text (%s)", (_name, makeStore) => {
  it("listing one user's namespaces never lists another user's, even for ids like * and %", async () => {
    const store = makeStore();
    for (const userId of USERS) await recordSession(new PersonaMemory(store, userId), `s-${userId}`);
    for (const userId of USERS) {
      const listed = await store.listNamespaces({ prefix: personaNamespace(userId), limit: 1000 });
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((ns) => ns[1] === personaNamespace(userId)[1])).toBe(true);
      expect((await new PersonaMemory(store, userId).sessions()).map((s) => s.sessionId)).toEqual([`s-${userId}`]);
    }
    (store as { close?: () => void }).close?.();
  });
});

describe("id rules", () => {
  it("refuse surrounding whitespace and control characters, and accept everything else exactly", () => {
    expect(idProblem(" alice", "user id")).toMatch(/surrounding whitespace/);
    expect(idProblem("alice\n", "user id")).toMatch(/surrounding whitespace|control/);
    expect(idProblem("a\u0000b", "user id")).toMatch(/control/);
    expect(idProblem("", "thread id")).toMatch(/non-empty/);
    expect(idProblem("x".repeat(257), "user id")).toMatch(/longer than 256/);
    for (const id of ["*", "%", "a b", "用户", "../u1", "u1.history"]) expect(idProblem(id, "user id")).toBeNull();
  });
});
