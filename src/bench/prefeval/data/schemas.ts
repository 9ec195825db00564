import { z } from "zod";

const text = z.string().trim().min(1, "must be a non-empty string");

/** The fields every PrefEval item has. */
const common = {
  preference: text,
  question: text,
  explanation: z.string(),
};

/** `explicit_preference/<topic>.json`: one item. */
export const explicitItemSchema = z.looseObject(common);

/** `implicit_preference/choice-based/<topic>.json`: one item with its four-message conversation. */
export const choiceItemSchema = z.looseObject({
  ...common,
  implicit_query: z.string().optional(),
  options: z.array(text).min(2, "needs at least two options"),
  conversation: z.looseObject({
    query: text,
    assistant_options: text,
    user_selection: text,
    assistant_acknowledgment: text,
  }),
  aligned_op: z.string().optional(),
});

/** One exchange of a persona-driven conversation. */
export const personaTurnSchema = z.looseObject({ user: text, assistant: text });

/** Keys of a persona-driven conversation: "0", "1", … or "turn1", "turn2", … */
export const PERSONA_TURN_KEY = /^(?:turn)?(\d+)$/;

/** `implicit_preference/persona-driven/<topic>.json`: one item with its multi-turn conversation. */
export const personaItemSchema = z.looseObject({
  ...common,
  persona: z.string().optional(),
  conversation: z
    .record(z.string().regex(PERSONA_TURN_KEY, 'turn keys are "0", "1", … or "turn1", "turn2", …'), personaTurnSchema)
    .refine((turns) => Object.keys(turns).length > 0, "the conversation has no turns"),
});

/** A form's file: a list of items (each item is validated on its own). */
export const itemListSchema = z.array(z.unknown()).min(1, "the file holds no items");

/** One message of a filler conversation. */
export const fillerMessageSchema = z.looseObject({ role: z.enum(["user", "assistant"]), content: text });

/** One filler conversation of `filtered_inter_turns.json`. */
export const fillerConversationSchema = z.looseObject({
  conversation_id: z.union([z.string(), z.number()]).optional(),
  conversation: z.array(fillerMessageSchema).min(2, "needs at least one user message and one reply"),
});

/** `filtered_inter_turns.json`: a list of conversations (each validated on its own). */
export const fillerFileSchema = z.array(z.unknown()).min(1, "the file holds no conversations");

export type ExplicitItem = z.infer<typeof explicitItemSchema>;
export type ChoiceItem = z.infer<typeof choiceItemSchema>;
export type PersonaItem = z.infer<typeof personaItemSchema>;
export type FillerConversation = z.infer<typeof fillerConversationSchema>;
