import { z } from "zod";

/** Known top-level keys of a PersonaBench persona file. */
export const PERSONA_GROUPS = ["Demographics", "Personality", "Pattern", "Preference"] as const;

const apiSchema = z.object({
  arguments: z.array(z.string().min(1)),
  description: z.string(),
});

/** One scene as written in the release; every text field is required. */
export const rawSceneSchema = z.looseObject({
  scene_type: z.string().min(1),
  available_apis: z.record(z.string(), apiSchema).nullable().optional(),
  scene_desc: z.string().min(1),
  expected_response: z.string(),
  scene_context: z.string(),
  personalized_query: z.string(),
  neutralized_query: z.string().min(1),
});

const group = z.record(z.string(), z.unknown());

/** A persona file of the release. Extra keys are kept and reported by the loader. */
export const rawPersonaFileSchema = z.looseObject({
  Demographics: group,
  Personality: group,
  Pattern: group,
  Preference: group,
  scenes: z.array(rawSceneSchema).min(1),
});

export type RawScene = z.infer<typeof rawSceneSchema>;
export type RawPersonaFile = z.infer<typeof rawPersonaFileSchema>;
