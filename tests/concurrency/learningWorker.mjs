// Worker for the cross-process race: ends the given sessions of a user at once
// and learns after each end, using the built package (dist/). Prints one JSON line.
// usage: node learningWorker.mjs <db path or postgres url> <user> <session ids, comma separated>
import { AIMessage } from "@langchain/core/messages";
import { resolvePersonaSettings, learnPersona } from "../../dist/learning.js";
import { PersonaMemory, openPersistence } from "../../dist/index.js";
import { ScriptedChatModel, isSemanticGuardCall, semanticGuardScriptedReply } from "../../dist/testing/index.js";

const FIELDS = [
  "Demographics.Name", "Demographics.Gender", "Demographics.Nationality", "Demographics.Career_Information",
  "Pattern.Behavior_Engagement_Pattern", "Pattern.Usage_Pattern", "Pattern.Emotion_Pattern", "Pattern.Purchase_Pattern",
  "Preference.Preferred_Styles", "Preference.Preferred_Formats", "Preference.Preferred_Workflows",
];
const reply = (call) => {
  // The semantic guard (on by default) asks the same model about the proposed values.
  if (isSemanticGuardCall(call)) return semanticGuardScriptedReply(call);
  const prompt = call.messages.map((m) => String(m.content)).join("\n");
  const indices = [...new Set([...prompt.matchAll(/token-(\d+)/g)].map((m) => Number(m[1])))];
  const changes = indices.map((i) => ({ op: "set", field: FIELDS[i], value: `value ${i}`, evidence: `token-${i}` }));
  return new AIMessage({ content: "", tool_calls: [{ id: "call", name: "update_persona", type: "tool_call", args: { changes } }] });
};

const [location, userId, ids] = process.argv.slice(2);
const persistence = await openPersistence(location);
const settings = resolvePersonaSettings({
  model: new ScriptedChatModel({ replies: [reply], repeatLast: true }),
  maxSessionsPerLearning: 3,
});
const outcomes = [];
try {
  await Promise.all(
    ids.split(",").map(async (sessionId) => {
      const memory = new PersonaMemory(persistence.store, userId);
      await memory.endSession(sessionId, "explicit");
      const { record } = await learnPersona(memory, settings);
      if (record) outcomes.push(record.outcome);
    }),
  );
  const memory = new PersonaMemory(persistence.store, userId);
  while ((await memory.pendingSessions()).length > 0) outcomes.push((await learnPersona(memory, settings)).record?.outcome);
} finally {
  await persistence.close();
}
process.stdout.write(`${JSON.stringify({ pid: process.pid, outcomes })}\n`);
