import { recordSession } from "../helpers/sessions.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InMemoryStore } from "@langchain/langgraph";
import { resolvePersonaSettings, learnPersona } from "../../src/learning.js";
import { type PersonaGraphOptions, PersonaMemory } from "../../src/index.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import { updateCall } from "../helpers/learnerReplies.js";

export interface CorpusValue {
  value: string;
  field?: string;
  kind?: string;
}

export function loadCorpus(name: string): CorpusValue[] {
  return JSON.parse(readFileSync(join(__dirname, "..", "fixtures", name), "utf8")) as CorpusValue[];
}

const LIST_FIELDS = new Set(["Demographics.Language", "Personality.Values_and_Interests"]);

/**
 * Runs each value through the whole write path (a learner proposes it with the
 * user's own words as evidence; validation, guards and the versioned commit
 * follow) and reports which ones ended up in the stored persona.
 */
export async function persistCorpus(
  values: CorpusValue[],
  options: Partial<PersonaGraphOptions> = {},
): Promise<Array<CorpusValue & { persisted: boolean; reason?: string }>> {
  const store = new InMemoryStore();
  const results: Array<CorpusValue & { persisted: boolean; reason?: string }> = [];
  for (const [index, entry] of values.entries()) {
    const field = entry.field ?? "Preference.Preferred_Styles";
    const value = LIST_FIELDS.has(field) ? [entry.value] : entry.value;
    const model = new ScriptedChatModel({
      replies: [updateCall([{ op: "set", field, value, evidence: entry.value }])],
    });
    const settings = resolvePersonaSettings({ model, ...options });
    const memory = new PersonaMemory(store, `user-${index}`);
    await recordSession(memory, "s1", { threadId: "t1", turns: [[{ role: "user", text: entry.value }]] });
    const { record } = await learnPersona(memory, settings);
    const persisted = (await memory.load()).version > 0;
    results.push({ ...entry, persisted, ...(record?.rejected[0] ? { reason: record.rejected[0].reason } : {}) });
  }
  return results;
}
