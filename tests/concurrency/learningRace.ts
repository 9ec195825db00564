import { AIMessage } from "@langchain/core/messages";
import type { BaseStore } from "@langchain/langgraph";
import { resolvePersonaSettings, learnPersona } from "../../src/learning.js";
import { PersonaMemory } from "../../src/index.js";
import { ScriptedChatModel, type ScriptedCall } from "../../src/testing/index.js";

/** One distinct text field per session, so every accepted change must survive to the final persona. */
export const RACE_FIELDS = [
  "Demographics.Name",
  "Demographics.Gender",
  "Demographics.Nationality",
  "Demographics.Career_Information",
  "Pattern.Behavior_Engagement_Pattern",
  "Pattern.Usage_Pattern",
  "Pattern.Emotion_Pattern",
  "Pattern.Purchase_Pattern",
  "Preference.Preferred_Styles",
  "Preference.Preferred_Formats",
  "Preference.Preferred_Workflows",
];

export const raceSessionId = (i: number) => `race-${i}`;
export const raceValue = (i: number) => `value ${i}`;

/** Learner: for every "token-<i>" the user said in the sessions shown, set field i. */
export function raceLearnerReply(call: ScriptedCall): AIMessage {
  const prompt = call.messages.map((m) => String(m.content)).join("\n");
  const indices = [...new Set([...prompt.matchAll(/token-(\d+)/g)].map((m) => Number(m[1])))];
  return new AIMessage({
    content: "",
    tool_calls: [
      {
        id: "call",
        name: "update_persona",
        type: "tool_call",
        args: {
          changes: indices.map((i) => ({ op: "set", field: RACE_FIELDS[i], value: raceValue(i), evidence: `token-${i}` })),
        },
      },
    ],
  });
}

/**
 * Opens `count` sessions of the user in different threads at the same moment,
 * each with a first turn naming its token. Each new session ends the others,
 * so all but the last to commit end up ended.
 */
export async function seedSessions(store: BaseStore, userId: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => raceSessionId(i));
  await Promise.all(
    ids.map((sessionId, i) =>
      new PersonaMemory(store, userId).recordTurn({
        sessionId,
        threadId: `thread-${i}`,
        newSession: true,
        turn: { index: 0, messages: [{ role: "user", text: `my token-${i} please` }] },
      }),
    ),
  );
  return ids;
}

/** Ends every session at once and runs one learning per end, all concurrently, then drains what is left. */
export async function endAllAtOnce(store: BaseStore, userId: string, sessionIds: string[]): Promise<void> {
  const model = new ScriptedChatModel({ replies: [raceLearnerReply], repeatLast: true });
  const settings = resolvePersonaSettings({ model, maxSessionsPerLearning: 3 });
  await Promise.all(
    sessionIds.map(async (sessionId) => {
      const memory = new PersonaMemory(store, userId);
      await memory.endSession(sessionId, "explicit");
      await learnPersona(memory, settings);
    }),
  );
  const memory = new PersonaMemory(store, userId);
  while ((await memory.pendingSessions()).length > 0) await learnPersona(memory, settings);
}

/**
 * Checks the outcome of a race: every session learned exactly once, versions
 * form one unbroken chain, and the final persona holds every accepted change.
 * Returns a one-line summary.
 */
export async function checkRaceOutcome(store: BaseStore, userId: string, count: number): Promise<string> {
  const memory = new PersonaMemory(store, userId);
  const sessions = await memory.sessions();
  const history = await memory.history();
  const problems: string[] = [];
  if (sessions.length !== count) problems.push(`${sessions.length} sessions, expected ${count}`);
  for (const session of sessions) {
    const owners = history.filter((v) => v.sessionIds.includes(session.sessionId));
    if (session.status !== "learned") problems.push(`${session.sessionId} is ${session.status}`);
    if (owners.length !== 1) problems.push(`${session.sessionId} learned in ${owners.length} versions`);
    else if (session.learnedInVersion !== owners[0]!.version) {
      problems.push(`${session.sessionId} says version ${session.learnedInVersion}, history says ${owners[0]!.version}`);
    }
  }
  history.forEach((v, index) => {
    if (v.version !== index + 1 || v.parentVersion !== index) problems.push(`history breaks at version ${v.version}`);
  });
  const document = await memory.load();
  if (document.version !== history.length) problems.push(`current version ${document.version}, history ${history.length}`);
  for (let i = 0; i < count; i++) {
    const [group, name] = RACE_FIELDS[i]!.split(".") as [string, string];
    const value = (document.persona[group] as Record<string, unknown> | undefined)?.[name];
    if (value !== raceValue(i)) problems.push(`${RACE_FIELDS[i]} is ${JSON.stringify(value)}, lost "${raceValue(i)}"`);
  }
  const applied = history.reduce((sum, v) => sum + v.changes.length, 0);
  if (applied !== count) problems.push(`${applied} changes applied in history, expected ${count}`);
  if (problems.length) throw new Error(`race outcome broken:\n${problems.join("\n")}`);
  return `${count} sessions learned exactly once in ${history.length} versions; all ${count} changes present`;
}
