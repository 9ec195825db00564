import { InMemoryStore } from "@langchain/langgraph";
// Only entry files: what a user of the package can import.
import { PersonaMemory } from "../../src/index.js";
import * as root from "../../src/index.js";
import { learnPersona, resolvePersonaSettings, type LearnPersonaSettings } from "../../src/learning.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import { updateCall } from "../helpers/learnerReplies.js";
import { ENTRY_FILES, entryExports } from "./tsdocCheck.js";

jest.setTimeout(60_000);

test("learnPersona runs with imports from the package entries only", async () => {
  const memory = new PersonaMemory(new InMemoryStore(), "alice");
  await memory.recordTurn({
    sessionId: "s1",
    threadId: "t1",
    newSession: true,
    turn: { index: 0, messages: [{ role: "user", text: "Call me Alice." }, { role: "assistant", text: "Hello Alice." }] },
    endSession: true,
  });
  const model = new ScriptedChatModel({
    replies: [updateCall([{ op: "set", field: "Demographics.Name", value: "Alice", evidence: "Call me Alice." }])],
  });
  const settings: LearnPersonaSettings = resolvePersonaSettings({ model, semanticGuard: false });
  const result = await learnPersona(memory, settings);
  expect(result.record?.outcome).toBe("applied");
  expect(result.version).toBe(1);
  expect(result.persona).toMatchObject({ Demographics: { Name: "Alice" } });
});

test("every symbol is exported by exactly one entry", () => {
  const byDeclaration = new Map<string, string[]>();
  for (const [entry, exported] of entryExports()) {
    for (const { name, declaredAt } of exported) {
      const key = `${name} (${declaredAt})`;
      byDeclaration.set(key, [...(byDeclaration.get(key) ?? []), entry]);
    }
  }
  const duplicates = [...byDeclaration].filter(([, entries]) => entries.length > 1).map(([key, entries]) => `${key}: ${entries.join(", ")}`);
  expect(duplicates).toEqual([]);
  expect(byDeclaration.size).toBeGreaterThan(300);
  expect(ENTRY_FILES).toHaveLength(11);
});

test("the root entry holds the app-facing API, not the wiring and storage plumbing", () => {
  const names = Object.keys(root);
  expect(names).toEqual(expect.arrayContaining(["createPersonaGraph", "createPersonaLearnerGraph", "PersonaMemory", "openSqlitePersistence", "defaultPersonaSchema", "textField", "poisoningGuard"]));
  for (const plumbing of ["SqliteStore", "commitAtomically", "revOf", "PERSONA_UPDATE", "SESSION_MANAGER", "learnPersona", "checkStructure", "formatPrompt", "messageText", "createChatModelFromEnv"]) {
    expect(names).not.toContain(plumbing);
  }
  expect(names.length).toBeLessThan(35);
});
