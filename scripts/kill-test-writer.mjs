// Writes persona versions as fast as it can until killed. Each version sets every
// field to the same marker, so a torn write would show as mixed markers.
// usage: node scripts/kill-test-writer.mjs <db path or postgres url> <user> <round>
import { PersonaMemory } from "../dist/memory/personaMemory.js";
import { openPersistence } from "../dist/store/openPersistence.js";

export const FIELDS = [
  ["Demographics", "Name"], ["Demographics", "Gender"], ["Demographics", "Nationality"],
  ["Demographics", "Career_Information"], ["Pattern", "Behavior_Engagement_Pattern"], ["Pattern", "Usage_Pattern"],
  ["Pattern", "Emotion_Pattern"], ["Pattern", "Purchase_Pattern"], ["Preference", "Preferred_Styles"],
  ["Preference", "Preferred_Formats"], ["Preference", "Preferred_Workflows"],
];

const [location, userId, round] = process.argv.slice(2);
const persistence = await openPersistence(location);
const memory = new PersonaMemory(persistence.store, userId);
process.stdout.write("ready\n");
for (let i = 0; ; i++) {
  const sessionId = `r${round}-s${i}`;
  await memory.recordTurn({
    sessionId,
    threadId: `thread-${round}-${i}`,
    newSession: true,
    turn: { index: 0, messages: [{ role: "user", text: `round ${round} write ${i} ${"x".repeat(2000)}` }] },
    endSession: true,
  });
  await memory.commitVersion({
    source: "manual",
    sessionIds: [sessionId],
    build: (current) => {
      // Short enough for every field of the default schema (Gender allows 40 characters).
      const marker = `v${current.version + 1} ${"y".repeat(30)}`;
      const persona = {};
      for (const [group, name] of FIELDS) (persona[group] ??= {})[name] = marker;
      return {
        persona,
        changes: FIELDS.map(([group, name]) => ({ op: "set", field: `${group}.${name}`, value: marker, evidence: "kill test" })),
        rejected: [],
      };
    },
  });
}
