import { randomUUID } from "node:crypto";
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver, type BaseStore } from "@langchain/langgraph";
import {
  createPersonaGraph,
  defaultPersonaSchema,
  parsePersona,
  PersonaMemory,
  type LearningRecord,
  type PersonaGraphStateType,
  type PersonaValues,
} from "../../index.js";
import { formatPrompt, messageText } from "../../render.js";
import { addCosts, CostMeter, firstLine, type BenchRole, type CostByRole } from "../cost.js";
import type { BenchModelFactory } from "../models.js";
import { playsSessionOne } from "./conditions.js";
import type { FillerPair, PrefEvalItem, PrefEvalTurn } from "./data/types.js";
import { judgePrefEvalReply, judgeStoredPreference } from "./judge/checks.js";
import { PREFEVAL_REMINDER } from "./prompts/reminder.js";
import { RecordedReplyModel } from "./recordedReplyModel.js";
import type { PrefEvalFailure, PrefEvalItemResult, PrefEvalLearning, PrefEvalPlace } from "./results.js";

/**
 * The persona field the golden condition stores the preference in (a Preference text field, up to 500 characters).
 * @example
 * const [group, field] = GOLDEN_PREFERENCE_FIELD.split("."); // "Preference", "Preferred_Workflows"
 */
export const GOLDEN_PREFERENCE_FIELD = "Preference.Preferred_Workflows";

/**
 * What every item of a run shares.
 * @example
 * const result = await runPrefEvalItem(env satisfies PrefEvalEnvironment, place, item);
 */
export interface PrefEvalEnvironment {
  store: BaseStore;
  models: BenchModelFactory;
  /** Run the semantic guard in learning runs (see resolveSemanticGuard). */
  semanticGuard: boolean;
  /** The filler exchanges, in order; an item with F fillers plays the first F. */
  fillers: FillerPair[];
}

/**
 * An item's run that stopped on an error, with the calls made, the stage and
 * the failed role; the runner records it and the next run retries the item.
 *
 * @example
 * ```ts no-run
 * try { await runPrefEvalItem(env, place, item); } catch (error) { if (error instanceof PrefEvalItemFailure) console.log(error.stage, error.role); }
 * ```
 */
export class PrefEvalItemFailure extends Error {
  /**
   * @param message - what failed
   * @param stage - what the item was doing: session1, learning, golden or question
   * @param cost - the calls made before the failure
   * @param role - the role whose model call failed, when it was a model call
   * @param userId - the store user of the failed attempt
   */
  constructor(
    message: string,
    readonly stage: PrefEvalFailure["stage"],
    readonly cost: CostByRole,
    readonly role: BenchRole | undefined,
    /** The store user of the failed attempt. */
    readonly userId?: string,
  ) {
    super(message);
  }
}

/**
 * The persona the golden condition stores: the preference as the value of
 * GOLDEN_PREFERENCE_FIELD. Throws when it does not fit the field.
 *
 * @param item - The item's id and preference.
 * @returns The persona values.
 * @example
 * ```ts no-run
 * goldenPersonaFor(item); // { Preference: { Preferred_Workflows: item.preference } }
 * ```
 */
export function goldenPersonaFor(item: Pick<PrefEvalItem, "id" | "preference">): PersonaValues {
  const [group, field] = GOLDEN_PREFERENCE_FIELD.split(".");
  const parsed = parsePersona({ [group]: { [field]: item.preference } }, defaultPersonaSchema);
  if (parsed.issues.length) {
    throw new Error(`${item.id}: the preference does not fit ${GOLDEN_PREFERENCE_FIELD} (${parsed.issues.map((i) => i.message).join("; ")})`);
  }
  return parsed.persona;
}

function lastReply(state: PersonaGraphStateType): string {
  const message = state.messages.at(-1);
  return message && message.getType() === "ai" ? messageText(message).trim() : "";
}

function learningFrom(record: LearningRecord | undefined, summary: NonNullable<PersonaGraphStateType["lastLearning"]>): PrefEvalLearning {
  const guard = record?.semanticGuard;
  return {
    outcome: summary.outcome,
    version: summary.version,
    applied: summary.applied,
    rejected: summary.rejected,
    rejectedReasons: record?.rejected.map((r) => r.reason) ?? [],
    ...(summary.error ? { error: summary.error } : {}),
    ...(guard
      ? {
          semanticGuard: {
            calls: guard.calls,
            accepted: guard.accepted,
            rejected: guard.rejected,
            unreadable: guard.unreadable,
            errors: guard.errors,
            ...(guard.error ? { error: guard.error } : {}),
          },
        }
      : {}),
  };
}

/**
 * Runs one item under one condition: session 1 when the condition plays it
 * (the item's exchanges, then the first F filler exchanges; recorded replies
 * are replayed through the graph without a model call, the explicit statement
 * is answered by the chatbot), then the question — in session 1's thread for
 * in-context and reminder, in a new thread otherwise — then PrefEval's four
 * checks on the reply and, for the persona condition, the stored-preference
 * check. Each attempt is a new store user, so a retried item never sees an
 * earlier attempt's memory. Throws a PrefEvalItemFailure when a call the item
 * needs fails or learning errors; a failing judge call is recorded, not thrown.
 *
 * @param env - Store, models, guard setting and fillers.
 * @param place - Condition, item and filler count.
 * @param item - The item.
 * @returns The record to append.
 * @example
 * ```ts no-run
 * const record = await runPrefEvalItem(env, { condition: "persona", itemId: item.id, form: item.form, topic: item.topic, fillers: 5 }, item);
 * ```
 */
export async function runPrefEvalItem(env: PrefEvalEnvironment, place: PrefEvalPlace, item: PrefEvalItem): Promise<PrefEvalItemResult> {
  const meter = new CostMeter();
  let stage: PrefEvalFailure["stage"] = "session1";
  const userId = `prefeval:${place.condition}:${item.id}:f${place.fillers ?? "-"}:${randomUUID().slice(0, 8)}`;
  try {
    return await play(env, place, item, userId, meter, (next) => (stage = next));
  } catch (error) {
    if (error instanceof PrefEvalItemFailure) throw error;
    const message = firstLine(error);
    const role = meter.lastFailure && meter.lastFailure.error === message ? meter.lastFailure.role : undefined;
    throw new PrefEvalItemFailure(message, stage, meter.take(), role, userId);
  }
}

async function play(
  env: PrefEvalEnvironment,
  place: PrefEvalPlace,
  item: PrefEvalItem,
  userId: string,
  meter: CostMeter,
  enter: (stage: PrefEvalFailure["stage"]) => void,
): Promise<PrefEvalItemResult> {
  const started = Date.now();
  const condition = place.condition;
  const checkpointer = new MemorySaver();
  const learner = env.models("learner", [meter.handler("learner")]);
  const options = {
    learnerModel: learner,
    retention: false as const,
    semanticGuard: env.semanticGuard,
    updateEvery: 1,
    learning: condition === "persona" ? ("inline" as const) : ("background" as const),
  };
  const live = createPersonaGraph({ model: env.models("chatbot", [meter.handler("chatbot")]), ...options }).compile({ checkpointer, store: env.store });
  const recorded = new RecordedReplyModel();
  const replay = createPersonaGraph({ model: recorded, ...options }).compile({ checkpointer, store: env.store });
  const config = (thread: string) => ({ configurable: { thread_id: thread }, context: { userId }, recursionLimit: 20 });
  const memory = new PersonaMemory(env.store, userId);

  const threadA = `${userId}/session-1`;
  let session1: PrefEvalItemResult["session1"];
  let learning: PrefEvalLearning | undefined;
  if (playsSessionOne(condition)) {
    const exchanges: PrefEvalTurn[] = [...item.turns, ...env.fillers.slice(0, place.fillers ?? 0)];
    const generated: Array<{ user: string; assistant: string }> = [];
    for (const exchange of exchanges) {
      const input = { messages: [new HumanMessage(exchange.user)] };
      if (exchange.assistant === undefined) {
        const reply = lastReply((await live.invoke(input, config(threadA))) as PersonaGraphStateType);
        generated.push({ user: exchange.user, assistant: reply });
      } else {
        recorded.push(exchange.assistant);
        await replay.invoke(input, config(threadA));
      }
    }
    session1 = { exchanges: exchanges.length, replayed: exchanges.length - generated.length, generated };
    if (condition === "persona") {
      enter("learning");
      const ended = (await live.invoke({ endSession: true }, config(threadA))) as PersonaGraphStateType;
      const summary = ended.lastLearning;
      if (!summary) throw new Error("no learning run followed the end of session 1 (k = 1)");
      const key = summary.sessionIds.join("|");
      const record = (await memory.learningLog()).reverse().find((entry) => entry.sessionIds.join("|") === key);
      learning = learningFrom(record, summary);
      if (summary.outcome === "error") {
        // The learner's (or the guard's) call failed: not a measurement of following; the next run retries the item.
        const failed = meter.lastFailure;
        throw new PrefEvalItemFailure(`learning failed: ${summary.error ?? "unknown error"}`, "learning", meter.take(), failed ? failed.role : "learner", userId);
      }
    }
  }
  if (condition === "golden") {
    enter("golden");
    const persona = goldenPersonaFor(item);
    await memory.commitVersion({
      source: "manual",
      note: `PrefEval golden preference of ${item.id}`,
      build: () => ({ persona, changes: [{ op: "set" as const, field: GOLDEN_PREFERENCE_FIELD, value: item.preference, evidence: "PrefEval preference" }], rejected: [] }),
    });
  }

  enter("question");
  const inSession = condition === "in-context" || condition === "reminder";
  const message = condition === "reminder" ? formatPrompt(PREFEVAL_REMINDER, { preference: item.preference, question: item.question }) : item.question;
  const questionThread = inSession ? threadA : `${userId}/session-2`;
  const reply = lastReply((await live.invoke({ messages: [new HumanMessage(message)] }, config(questionThread))) as PersonaGraphStateType);
  const document = await memory.load();

  const judge = env.models("judge", [meter.handler("judge")]);
  const judgment = reply ? await judgePrefEvalReply(judge, item, reply) : undefined;
  const storedPreference = condition === "persona" ? await judgeStoredPreference(judge, item.preference, document.persona) : undefined;

  return {
    type: "prefeval-item",
    ...place,
    userId,
    threads: { ...(session1 ? { session1: threadA } : {}), question: questionThread },
    ...(session1 ? { session1 } : {}),
    message,
    reply,
    ...(reply ? {} : { emptyReply: true }),
    ...(learning ? { learning } : {}),
    persona: document.persona,
    personaVersion: document.version,
    ...(judgment ? { judgment } : {}),
    ...(storedPreference ? { storedPreference } : {}),
    cost: meter.take(),
    wallMs: Date.now() - started,
    at: new Date().toISOString(),
  };
}

/**
 * Asks the judge again for the checks of a record whose judge calls failed
 * (an earlier run's), adding the new calls to the record's cost.
 *
 * @param models - The run's model factory.
 * @param record - The earlier record.
 * @param item - Its item.
 * @returns The record to append in its place.
 * @example
 * ```ts no-run
 * log.append(await rejudgePrefEvalItem(models, record, item));
 * ```
 */
export async function rejudgePrefEvalItem(models: BenchModelFactory, record: PrefEvalItemResult, item: PrefEvalItem): Promise<PrefEvalItemResult> {
  const meter = new CostMeter();
  const judge = models("judge", [meter.handler("judge")]);
  const judgment = record.judgment ? await judgePrefEvalReply(judge, item, record.reply, record.judgment) : undefined;
  const storedPreference =
    record.storedPreference?.status === "failed" ? await judgeStoredPreference(judge, item.preference, record.persona) : record.storedPreference;
  return {
    ...record,
    ...(judgment ? { judgment } : {}),
    ...(storedPreference ? { storedPreference } : {}),
    cost: addCosts(record.cost, meter.take()),
    at: new Date().toISOString(),
  };
}
