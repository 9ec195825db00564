import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { z } from "zod";
import type { DataProblem } from "../../data/types.js";
import {
  choiceItemSchema,
  explicitItemSchema,
  fillerConversationSchema,
  fillerFileSchema,
  itemListSchema,
  PERSONA_TURN_KEY,
  personaItemSchema,
} from "./schemas.js";
import {
  FILLER_FILE,
  FORM_FOLDERS,
  PREFEVAL_FORMS,
  type FillerPair,
  type LoadedPrefEval,
  type PrefEvalForm,
  type PrefEvalItem,
  type PrefEvalTurn,
} from "./types.js";

/** Keys each form's items are known to carry; others are reported (once per file) and not used. */
const KNOWN_KEYS: Record<PrefEvalForm, string[]> = {
  explicit: ["preference", "question", "explanation"],
  choice: ["preference", "question", "explanation", "implicit_query", "options", "conversation", "aligned_op"],
  persona: ["preference", "question", "explanation", "persona", "conversation"],
};
const KNOWN_FILLER_KEYS = ["conversation_id", "model", "turn", "language", "redacted", "conversation"];

/**
 * Options of `loadPrefEval`.
 * @example
 * const loaded = loadPrefEval(dir, { forms: ["explicit"] } satisfies LoadPrefEvalOptions);
 */
export interface LoadPrefEvalOptions {
  /** The forms to load; a missing folder of one of them is an error. @default all three */
  forms?: PrefEvalForm[];
}

function readJson(path: string, file: string, problems: DataProblem[]): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    problems.push({ file, path: "", message: `not valid JSON: ${(error as Error).message}`, severity: "error" });
    return undefined;
  }
}

function issuesOf(error: z.ZodError, prefix: string): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: [prefix, ...issue.path.map(String)].filter(Boolean).join("."), message: issue.message }));
}

function noteUnknownKeys(entries: unknown[], known: string[], file: string, problems: DataProblem[]): void {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) continue;
    for (const key of Object.keys(entry)) if (!known.includes(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, count] of counts) {
    problems.push({ file, path: key, message: `unknown key in ${count} entr${count === 1 ? "y" : "ies"}; not used`, severity: "warning" });
  }
}

/** Session 1's exchanges of a persona-driven conversation, in turn order. */
function personaTurns(conversation: Record<string, { user: string; assistant: string }>): PrefEvalTurn[] {
  return Object.entries(conversation)
    .map(([key, turn]) => ({ order: Number(PERSONA_TURN_KEY.exec(key)![1]), turn }))
    .sort((a, b) => a.order - b.order)
    .map(({ turn }) => ({ user: turn.user.trim(), assistant: turn.assistant.trim() }));
}

function itemFrom(form: PrefEvalForm, raw: unknown, base: Omit<PrefEvalItem, "preference" | "question" | "explanation" | "turns">, problems: DataProblem[]): PrefEvalItem | undefined {
  const at = String(base.index - 1);
  const fail = (error: z.ZodError) => {
    for (const issue of issuesOf(error, at)) problems.push({ file: base.file, ...issue, severity: "error" });
    return undefined;
  };
  if (form === "explicit") {
    const parsed = explicitItemSchema.safeParse(raw);
    if (!parsed.success) return fail(parsed.error);
    const { preference, question, explanation } = parsed.data;
    return { ...base, preference, question, explanation, turns: [{ user: preference }] };
  }
  if (form === "choice") {
    const parsed = choiceItemSchema.safeParse(raw);
    if (!parsed.success) return fail(parsed.error);
    const { preference, question, explanation, conversation, aligned_op: aligned, options } = parsed.data;
    if (aligned !== undefined && !options.includes(aligned)) {
      problems.push({ file: base.file, path: `${at}.aligned_op`, message: "is not one of the options; kept as is (not used by the protocol)", severity: "warning" });
    }
    return {
      ...base,
      preference,
      question,
      explanation,
      turns: [
        { user: conversation.query, assistant: conversation.assistant_options },
        { user: conversation.user_selection, assistant: conversation.assistant_acknowledgment },
      ],
      ...(aligned ? { alignedOption: aligned } : {}),
    };
  }
  const parsed = personaItemSchema.safeParse(raw);
  if (!parsed.success) return fail(parsed.error);
  const { preference, question, explanation, conversation, persona } = parsed.data;
  return { ...base, preference, question, explanation, turns: personaTurns(conversation), ...(persona ? { persona } : {}) };
}

function loadFormFile(dir: string, form: PrefEvalForm, topic: string, problems: DataProblem[]): PrefEvalItem[] {
  const file = `${FORM_FOLDERS[form]}/${topic}.json`;
  const json = readJson(join(dir, file), file, problems);
  if (json === undefined) return [];
  const list = itemListSchema.safeParse(json);
  if (!list.success) {
    for (const issue of issuesOf(list.error, "")) problems.push({ file, ...issue, severity: "error" });
    return [];
  }
  noteUnknownKeys(list.data, KNOWN_KEYS[form], file, problems);
  const items: PrefEvalItem[] = [];
  list.data.forEach((raw, i) => {
    const index = i + 1;
    const item = itemFrom(form, raw, { id: `${form}/${topic}/${index}`, form, topic, index, file }, problems);
    if (item) items.push(item);
  });
  return items;
}

/** Reads the filler conversations into exchanges; a conversation that does not alternate user, assistant is left out. */
function loadFillers(dir: string, problems: DataProblem[]): { pairs: FillerPair[]; conversations: number } {
  const path = join(dir, FILLER_FILE);
  if (!existsSync(path)) {
    problems.push({ file: FILLER_FILE, path: "", message: "missing: the filler conversations are needed for any --fillers count above 0", severity: "error" });
    return { pairs: [], conversations: 0 };
  }
  const json = readJson(path, FILLER_FILE, problems);
  if (json === undefined) return { pairs: [], conversations: 0 };
  const list = fillerFileSchema.safeParse(json);
  if (!list.success) {
    for (const issue of issuesOf(list.error, "")) problems.push({ file: FILLER_FILE, ...issue, severity: "error" });
    return { pairs: [], conversations: 0 };
  }
  noteUnknownKeys(list.data, KNOWN_FILLER_KEYS, FILLER_FILE, problems);
  const pairs: FillerPair[] = [];
  let conversations = 0;
  list.data.forEach((raw, i) => {
    const parsed = fillerConversationSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of issuesOf(parsed.error, String(i))) problems.push({ file: FILLER_FILE, ...issue, severity: "error" });
      return;
    }
    const messages = parsed.data.conversation;
    const wrong = messages.findIndex((message, m) => message.role !== (m % 2 === 0 ? "user" : "assistant"));
    if (wrong !== -1) {
      problems.push({
        file: FILLER_FILE,
        path: `${i}.conversation.${wrong}.role`,
        message: `is "${messages[wrong].role}" where ${wrong % 2 === 0 ? "a user message" : "an assistant reply"} belongs (messages must alternate user, assistant); conversation left out`,
        severity: "error",
      });
      return;
    }
    if (messages.length % 2 === 1) {
      problems.push({ file: FILLER_FILE, path: `${i}.conversation.${messages.length - 1}`, message: "a last user message without a reply; left out", severity: "warning" });
    }
    const id = parsed.data.conversation_id === undefined ? String(i) : String(parsed.data.conversation_id);
    for (let m = 0; m + 1 < messages.length; m += 2) {
      pairs.push({ user: messages[m].content.trim(), assistant: messages[m + 1].content.trim(), conversationId: id });
    }
    conversations++;
  });
  return { pairs, conversations };
}

/**
 * Loads a PrefEval `benchmark_dataset` folder (amazon-science/PrefEval layout:
 * `explicit_preference/<topic>.json`, `implicit_preference/choice-based/<topic>.json`,
 * `implicit_preference/persona-driven/<topic>.json`, `filtered_inter_turns.json`).
 * Every file is validated with zod, every item and filler conversation on its
 * own: a bad one is reported with its file and field path and left out, the
 * others are used. Items keep their position in the file as their index, so
 * ids stay stable when a bad item is fixed.
 *
 * @param dir - The data folder.
 * @param options - Which forms to load (see LoadPrefEvalOptions).
 * @returns The items, topics, filler exchanges and every problem found.
 * @example
 * ```ts no-run
 * const { items, fillers, problems } = loadPrefEval("path/to/benchmark_dataset", { forms: ["explicit"] });
 * ```
 */
export function loadPrefEval(dir: string, options: LoadPrefEvalOptions = {}): LoadedPrefEval {
  const root = resolve(dir);
  try {
    if (!statSync(root).isDirectory()) throw new Error("not a folder");
  } catch (error) {
    throw new Error(`PrefEval data folder ${root} cannot be read (${(error as Error).message}); pass PrefEval's benchmark_dataset folder`);
  }
  const forms = options.forms ?? [...PREFEVAL_FORMS];
  const problems: DataProblem[] = [];
  const topicsByForm = new Map<PrefEvalForm, string[]>();
  for (const form of forms) {
    const folder = join(root, FORM_FOLDERS[form]);
    let names: string[] = [];
    try {
      names = readdirSync(folder).filter((name) => name.toLowerCase().endsWith(".json"));
    } catch {
      problems.push({ file: `${FORM_FOLDERS[form]}/`, path: "", message: `missing: no folder for the ${form} form (expected ${FORM_FOLDERS[form]}/<topic>.json files)`, severity: "error" });
    }
    if (names.length === 0 && existsSync(folder)) {
      problems.push({ file: `${FORM_FOLDERS[form]}/`, path: "", message: `holds no .json files (expected ${FORM_FOLDERS[form]}/<topic>.json)`, severity: "error" });
    }
    topicsByForm.set(form, names.map((name) => name.replace(/\.json$/i, "")).sort());
  }
  const topics = [...new Set([...topicsByForm.values()].flat())].sort();
  const items: PrefEvalItem[] = [];
  for (const form of forms) {
    const present = topicsByForm.get(form) ?? [];
    for (const topic of topics) {
      if (!present.includes(topic)) {
        if (present.length) problems.push({ file: `${FORM_FOLDERS[form]}/${topic}.json`, path: "", message: `missing: topic ${topic} has files in other forms but not in this one`, severity: "warning" });
        continue;
      }
      items.push(...loadFormFile(root, form, topic, problems));
    }
  }
  const fillers = loadFillers(root, problems);
  return { dir: root, items, topics, forms, fillers: fillers.pairs, fillerConversations: fillers.conversations, problems };
}

/**
 * A selection (topics, filler counts) the data cannot serve; the message says what the data has.
 * @example
 * try { selectItems(loaded, { topics: ["nope"] }); } catch (error) { if (error instanceof PrefEvalSelectionError) console.error(error.message); }
 */
export class PrefEvalSelectionError extends Error {
  /**
   * @param message - what the selection asks for and what the data has
   */
  constructor(message: string) {
    super(message);
    this.name = "PrefEvalSelectionError";
  }
}

/**
 * The selection of a run: forms, topics and the first N items of each form and topic.
 * @example
 * const items = selectItems(loadPrefEval(dir), { forms: ["explicit"], items: 2 } satisfies PrefEvalSelection);
 */
export interface PrefEvalSelection {
  forms?: PrefEvalForm[];
  topics?: string[];
  /** The first N items (by index) of each form and topic. @default all */
  items?: number;
}

/**
 * The items a run uses, in form, topic and index order. Throws when a topic is
 * not in the data, naming the topics that are.
 *
 * @param loaded - From loadPrefEval.
 * @param selection - Forms, topics and items per form and topic.
 * @returns The selected items.
 * @example
 * ```ts no-run
 * const items = selectItems(loadPrefEval(dir), { topics: ["shop_technology"], items: 5 });
 * ```
 */
export function selectItems(loaded: LoadedPrefEval, selection: PrefEvalSelection = {}): PrefEvalItem[] {
  const unknown = (selection.topics ?? []).filter((topic) => !loaded.topics.includes(topic));
  if (unknown.length) {
    throw new PrefEvalSelectionError(`unknown topic${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}: the data has ${loaded.topics.join(", ") || "no topics"}`);
  }
  const forms = selection.forms ?? loaded.forms;
  const out: PrefEvalItem[] = [];
  for (const form of PREFEVAL_FORMS.filter((f) => forms.includes(f))) {
    for (const topic of loaded.topics) {
      if (selection.topics && !selection.topics.includes(topic)) continue;
      const group = loaded.items.filter((item) => item.form === form && item.topic === topic);
      out.push(...group.slice(0, selection.items ?? group.length));
    }
  }
  return out;
}

/**
 * Parses `--forms`: a comma list of explicit, choice, persona.
 *
 * @param text - The flag's value.
 * @returns The forms, in the order given, without repeats.
 * @example
 * ```ts no-run
 * parseForms("explicit,persona"); // ["explicit", "persona"]
 * ```
 */
export function parseForms(text: string): PrefEvalForm[] {
  const out: PrefEvalForm[] = [];
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    if (!(PREFEVAL_FORMS as readonly string[]).includes(part)) {
      throw new Error(`unknown form "${part}": use ${PREFEVAL_FORMS.join(", ")}, comma separated`);
    }
    if (!out.includes(part as PrefEvalForm)) out.push(part as PrefEvalForm);
  }
  if (!out.length) throw new Error(`no forms given; for example --forms ${PREFEVAL_FORMS.join(",")}`);
  return out;
}

/**
 * Parses `--fillers`: a comma list of filler-turn counts (whole numbers ≥ 0).
 *
 * @param text - The flag's value.
 * @returns The counts, sorted, without repeats.
 * @example
 * ```ts no-run
 * parseFillers("10,0,5"); // [0, 5, 10]
 * ```
 */
export function parseFillers(text: string): number[] {
  const parts = text.split(",").map((p) => p.trim()).filter(Boolean);
  for (const part of parts) {
    if (!/^\d+$/.test(part)) throw new Error(`"${part}" is not a whole number of filler turns; for example --fillers 0,5,10`);
  }
  if (!parts.length) throw new Error("no filler counts given; for example --fillers 0,5,10");
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}
