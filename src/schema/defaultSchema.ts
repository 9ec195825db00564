import { z } from "zod";
import { ageField, languageListField, listField, mbtiLetterField, textField } from "./formats.js";

// Sentence punctuation and markup have no place in a name, gender or nationality.
// Parentheses stay allowed: "Sam (short for Samantha)", "中国（上海人）".
const NOT_IN_A_NAME = /[:;!?<>{}[\]@#$%^*=+|\\~`"“”：；！？【】「」《》]/;

/**
 * The persona dictionary of the AI Persona paper: four groups of fields. Every
 * field is optional: an absent field means "unknown". Every field is typed
 * (src/schema/formats.ts): a value that does not fit its field's format is
 * rejected with the reason.
 *
 * @example
 * import { defaultPersonaSchema } from "langgraph-persona";
 * defaultPersonaSchema.parse({ Demographics: { Age: 34, Language: ["English", "中文"] } });
 */
export const defaultPersonaSchema = z.object({
  Demographics: z
    .object({
      Name: textField("What the user is called", { maxLength: 60, maxWords: 6, singleLine: true, forbidden: NOT_IN_A_NAME, noun: "a name", format: "name" }).optional(),
      Age: ageField("Age in years").optional(),
      Gender: textField("Gender, in the user's words", { maxLength: 40, maxWords: 5, singleLine: true, forbidden: NOT_IN_A_NAME, noun: "a gender" }).optional(),
      Nationality: textField("Nationality", { maxLength: 60, maxWords: 6, singleLine: true, forbidden: NOT_IN_A_NAME, noun: "a nationality" }).optional(),
      Language: languageListField("Languages the user speaks, preferred first").optional(),
      Career_Information: textField("Occupation, employer type, career stage", { maxLength: 300 }).optional(),
    })
    .describe("Who the user is"),
  Personality: z
    .object({
      Extraversion_or_Introversion: mbtiLetterField(["E", "I"], "MBTI letter E or I").optional(),
      Sensing_or_Intuition: mbtiLetterField(["S", "N"], "MBTI letter S or N").optional(),
      Thinking_or_Feeling: mbtiLetterField(["T", "F"], "MBTI letter T or F").optional(),
      Judging_or_Perceiving: mbtiLetterField(["J", "P"], "MBTI letter J or P").optional(),
      Values_and_Interests: listField("Values, hobbies and interests", { maxItems: 20, itemMaxLength: 80, noun: "short phrases" }).optional(),
    })
    .describe("How the user thinks and what they care about"),
  Pattern: z
    .object({
      Behavior_Engagement_Pattern: textField("Topics and ways the user engages with", { maxLength: 500 }).optional(),
      Usage_Pattern: textField("How often and for what the user uses the assistant", { maxLength: 500 }).optional(),
      Emotion_Pattern: textField("How the user's mood shows and changes", { maxLength: 500 }).optional(),
      Purchase_Pattern: textField("What and how the user buys", { maxLength: 500 }).optional(),
    })
    .describe("How the user behaves"),
  Preference: z
    .object({
      Preferred_Styles: textField("Tone and style of answers the user likes", { maxLength: 500 }).optional(),
      Preferred_Formats: textField("Answer formats the user likes", { maxLength: 500 }).optional(),
      Preferred_Workflows: textField("How the user likes to work through a task", { maxLength: 500 }).optional(),
    })
    .describe("How the user wants answers"),
});

/**
 * A persona of the default schema (the paper's Demographics, Personality, Pattern and Preference groups).
 * @example
 * const persona: DefaultPersona = { Demographics: { Age: 34 }, Personality: {}, Pattern: {}, Preference: {} };
 */
export type DefaultPersona = z.infer<typeof defaultPersonaSchema>;
