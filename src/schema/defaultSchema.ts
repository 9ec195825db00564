import { z } from "zod";

/** One MBTI dichotomy: accepts the letter in either case. */
function mbtiLetter(letters: [string, string], description: string) {
  return z
    .preprocess(
      (value) => (typeof value === "string" ? value.trim().toUpperCase() : value),
      z.enum(letters as [string, string]),
    )
    .describe(description);
}

const text = (description: string) => z.string().min(1).describe(description);
const list = (description: string) => z.array(z.string().min(1)).describe(description);

/**
 * The persona dictionary of the AI Persona paper: four groups of fields. Every
 * field is optional: an absent field means "unknown".
 */
export const defaultPersonaSchema = z.object({
  Demographics: z
    .object({
      Name: text("What the user is called").optional(),
      Age: z.number().int().min(0).max(150).describe("Age in years").optional(),
      Gender: text("Gender, in the user's words").optional(),
      Nationality: text("Nationality").optional(),
      Language: list("Languages the user speaks, preferred first").optional(),
      Career_Information: text("Occupation, employer type, career stage").optional(),
    })
    .describe("Who the user is"),
  Personality: z
    .object({
      Extraversion_or_Introversion: mbtiLetter(["E", "I"], "MBTI letter E or I").optional(),
      Sensing_or_Intuition: mbtiLetter(["S", "N"], "MBTI letter S or N").optional(),
      Thinking_or_Feeling: mbtiLetter(["T", "F"], "MBTI letter T or F").optional(),
      Judging_or_Perceiving: mbtiLetter(["J", "P"], "MBTI letter J or P").optional(),
      Values_and_Interests: list("Values, hobbies and interests").optional(),
    })
    .describe("How the user thinks and what they care about"),
  Pattern: z
    .object({
      Behavior_Engagement_Pattern: text("Topics and ways the user engages with").optional(),
      Usage_Pattern: text("How often and for what the user uses the assistant").optional(),
      Emotion_Pattern: text("How the user's mood shows and changes").optional(),
      Purchase_Pattern: text("What and how the user buys").optional(),
    })
    .describe("How the user behaves"),
  Preference: z
    .object({
      Preferred_Styles: text("Tone and style of answers the user likes").optional(),
      Preferred_Formats: text("Answer formats the user likes").optional(),
      Preferred_Workflows: text("How the user likes to work through a task").optional(),
    })
    .describe("How the user wants answers"),
});

export type DefaultPersona = z.infer<typeof defaultPersonaSchema>;
