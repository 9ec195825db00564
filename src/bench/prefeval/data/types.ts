import type { DataProblem } from "../../data/types.js";

/**
 * The three ways PrefEval states a preference (`--forms`).
 * @example
 * parseForms(PREFEVAL_FORMS.join(",")); // every form
 */
export const PREFEVAL_FORMS = ["explicit", "choice", "persona"] as const;
/**
 * How a PrefEval item states its preference: explicit, choice or persona.
 * @example
 * const form: PrefEvalForm = "explicit";
 */
export type PrefEvalForm = (typeof PREFEVAL_FORMS)[number];

/**
 * Where each form's files live inside a PrefEval `benchmark_dataset` folder.
 * @example
 * join(dir, FORM_FOLDERS.explicit); // <dir>/explicit_preference
 */
export const FORM_FOLDERS: Record<PrefEvalForm, string> = {
  explicit: "explicit_preference",
  choice: "implicit_preference/choice-based",
  persona: "implicit_preference/persona-driven",
};

/**
 * The filler conversations' file inside the data folder.
 * @example
 * existsSync(join(dir, FILLER_FILE)); // the data folder has the filler conversations
 */
export const FILLER_FILE = "filtered_inter_turns.json";

/**
 * One exchange of session 1: the user's message and, when recorded in the data, the assistant's reply.
 * @example
 * const first: PrefEvalTurn | undefined = item.turns[0];
 */
export interface PrefEvalTurn {
  user: string;
  /** The recorded reply; absent when the chatbot answers (the explicit statement). */
  assistant?: string;
}

/**
 * One PrefEval item: a preference, how session 1 expresses it, and the later question.
 * @example
 * const item: PrefEvalItem = loadPrefEval(dir).items[0];
 */
export interface PrefEvalItem {
  /** `<form>/<topic>/<index>`: stable across runs (the index is the item's position in its file, from 1). */
  id: string;
  form: PrefEvalForm;
  topic: string;
  index: number;
  /** The file, relative to the data folder. */
  file: string;
  preference: string;
  question: string;
  /** Why the question tests the preference (shown in reports, never to the chatbot). */
  explanation: string;
  /** Session 1's exchanges that express the preference, in order. */
  turns: PrefEvalTurn[];
  /** Persona-driven items: who the user plays. */
  persona?: string;
  /** Choice-based items: the option that fits the preference. */
  alignedOption?: string;
}

/**
 * One user message and reply of the filler conversations, in file order.
 * @example
 * const fillers: FillerPair[] = loadPrefEval(dir).fillers;
 */
export interface FillerPair {
  user: string;
  assistant: string;
  conversationId: string;
}

/**
 * What `loadPrefEval` found.
 * @example
 * const { items, topics }: LoadedPrefEval = loadPrefEval(dir);
 */
export interface LoadedPrefEval {
  dir: string;
  /** Usable items of the loaded forms, sorted by form, topic and index. */
  items: PrefEvalItem[];
  /** Topics seen in any loaded form, sorted. */
  topics: string[];
  forms: PrefEvalForm[];
  /** Every usable filler exchange, conversations in file order. */
  fillers: FillerPair[];
  /** Usable filler conversations. */
  fillerConversations: number;
  problems: DataProblem[];
}
