import { z } from "zod";

/**
 * Records of the generation pipeline, defined once: what the model must send
 * (tool arguments) and what is written (the PersonaBench release layout).
 */

/** Values that mean "unknown" to the PersonaBench loader; generated data must not contain them. */
const UNKNOWN_MARKERS = new Set(["none", "null", "无", "未知", "unknown", "n/a", "na", "-", ""]);

/** A non-empty text that is not an "unknown" marker. */
export const knownText = (description: string) =>
  z
    .string()
    .trim()
    .min(1)
    .refine((value) => !UNKNOWN_MARKERS.has(value.toLowerCase()), { message: 'must be a concrete value, not "none"/"unknown"' })
    .describe(description);

const knownList = (description: string) => z.array(knownText("one item")).min(1).describe(description);

// A plain enum (no preprocessing), so the tool's JSON schema lists the two letters.
const mbti = (letters: [string, string], description: string) => z.enum(letters).describe(description);

export const demographicsSchema = z.object({
  Name: knownText("The person's name"),
  Age: z.number().int().min(1).max(120).describe("Age in years"),
  Gender: knownText("Gender"),
  Nationality: knownText("Nationality"),
  Language: knownList("Languages the person speaks, preferred first"),
  Career_Information: knownText("Occupation, employer type, career stage"),
});

export const personalitySchema = z.object({
  Extraversion_or_Introversion: mbti(["E", "I"], "MBTI letter: E or I"),
  Sensing_or_Intuition: mbti(["S", "N"], "MBTI letter: S or N"),
  Thinking_or_Feeling: mbti(["T", "F"], "MBTI letter: T or F"),
  Judging_or_Perceiving: mbti(["J", "P"], "MBTI letter: J or P"),
  Values_and_Interests: knownList("Values, hobbies and interests (3 to 5 items)"),
});

export const patternSchema = z.object({
  Behavior_Engagement_Pattern: knownText("How the person engages with an AI assistant: topics, ways of asking"),
  Usage_Pattern: knownText("How often and for what the person uses the assistant"),
  Emotion_Pattern: knownText("How the person's mood shows in conversations and what changes it"),
  Purchase_Pattern: knownText("What and how the person buys"),
});

export const preferenceSchema = z.object({
  Preferred_Styles: knownText("Tone and style of answers the person likes"),
  Preferred_Formats: knownText("Answer formats the person likes"),
  Preferred_Workflows: knownText("How the person likes to work through a task with the assistant"),
});

/**
 * Stage 1's record: who the person is (the seed file's layout: Name at the top).
 * @example
 * const seeds = z.array(seedSchema).parse(JSON.parse(readFileSync("seeds.json", "utf8")));
 */
export const seedSchema = z.object({
  Name: knownText("The person's name"),
  Demographics: demographicsSchema.omit({ Name: true }),
  Personality: personalitySchema,
});
/**
 * A stage-1 seed: who the person is (see {@link seedSchema}).
 * @example
 * const seeds: Seed[] = readSeedFile("seeds.json");
 */
export type Seed = z.infer<typeof seedSchema>;

/**
 * Stage 2's record: the full golden persona (the four groups of a release file).
 * @example
 * const golden = goldenPersonaSchema.parse(file);
 */
export const goldenPersonaSchema = z.object({
  Demographics: demographicsSchema,
  Personality: personalitySchema,
  Pattern: patternSchema,
  Preference: preferenceSchema,
});
/**
 * A full golden persona, the four groups of a release file (see {@link goldenPersonaSchema}).
 * @example
 * const golden: GoldenPersona = releasePersonaFileSchema.parse(file);
 */
export type GoldenPersona = z.infer<typeof goldenPersonaSchema>;

/** A scene category of the seed files, with the capabilities the assistant may need in it. */
export const categorySchema = z.object({
  name: z.string().trim().min(1),
  description: z.string(),
  capabilities: z.array(z.string().trim().min(1)),
});
/**
 * A scene category with the capabilities the assistant may need in it.
 * @example
 * const categories: SceneCategory[] = readCategoryFile("categories.json");
 */
export type SceneCategory = z.infer<typeof categorySchema>;

/** A valid tool name: what the bench offers the chatbot without renaming. */
export const API_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

/** One API of a scene, as the model sends it. */
export const apiDocSchema = z.object({
  name: z
    .string()
    .trim()
    .regex(API_NAME, "API names are camelCase identifiers: a letter, then letters, digits, _ or -, at most 64 characters")
    .describe("camelCase identifier, e.g. searchFlights"),
  arguments: z.array(z.string().trim().min(1)).describe("Argument names, e.g. [\"origin\", \"date\"]"),
  description: knownText("What the API does and returns, one sentence"),
});
export type ApiDoc = z.infer<typeof apiDocSchema>;

/** One scene in the release layout. */
export const releaseSceneSchema = z.object({
  scene_type: z.string().min(1),
  available_apis: z.record(z.string(), z.object({ arguments: z.array(z.string()), description: z.string() })).nullable(),
  scene_desc: z.string().min(1),
  expected_response: z.string().min(1),
  scene_context: z.string().min(1),
  personalized_query: z.string().min(1),
  neutralized_query: z.string().min(1),
});
/**
 * One scene in the release layout (scene type, APIs, description, expected response, context and queries).
 * @example
 * const scenes: ReleaseScene[] = releasePersonaFileSchema.parse(file).scenes;
 */
export type ReleaseScene = z.infer<typeof releaseSceneSchema>;

/**
 * One persona file in the release layout: the golden persona and its scenes in order.
 * @example
 * const file = releasePersonaFileSchema.parse(JSON.parse(readFileSync("out/Ana.json", "utf8")));
 */
export const releasePersonaFileSchema = goldenPersonaSchema.extend({ scenes: z.array(releaseSceneSchema).min(1) });
/**
 * One persona file in the release layout (see {@link releasePersonaFileSchema}).
 * @example
 * const file: ReleasePersonaFile = releasePersonaFileSchema.parse(JSON.parse(text));
 */
export type ReleasePersonaFile = z.infer<typeof releasePersonaFileSchema>;

/**
 * The pipeline's stages, in order; also the names of the graph's nodes.
 * @example
 * GENERATION_STAGES.indexOf("filter_refine"); // 4, the last stage
 */
export const GENERATION_STAGES = ["seed", "persona_synthesis", "scene_generation", "query_generation", "filter_refine"] as const;
/**
 * A stage of the pipeline (and a node of the generator graph).
 * @example
 * const stage: GenerationStage = "scene_generation";
 */
export type GenerationStage = (typeof GENERATION_STAGES)[number];
