import { z } from "zod";
import { apiDocSchema, goldenPersonaSchema, knownText, seedSchema } from "./records.js";

/** The tools the pipeline forces its models to call, one per kind of call: name, description and argument schema. */
export const TOOLS = {
  categories: {
    name: "submit_categories",
    description: "Submit the list of common scene categories.",
    schema: z.object({
      categories: z
        .array(
          z.object({
            name: knownText("Category name, two to four words"),
            description: knownText("What the assistant does for the person, one sentence"),
            capabilities: z.array(z.string().trim().min(1)).describe("App-level abilities the assistant may need; empty when conversation is enough"),
          }),
        )
        .min(1),
    }),
  },
  seeds: {
    name: "submit_seeds",
    description: "Submit the new seed personas.",
    schema: z.object({ seeds: z.array(seedSchema).min(1) }),
  },
  persona: {
    name: "submit_persona",
    description: "Submit the complete persona.",
    schema: goldenPersonaSchema,
  },
  scenePlan: {
    name: "submit_scene_plan",
    description: "Submit the chosen common categories and the person-specific scenes.",
    schema: z.object({
      common: z.array(
        z.object({
          category: z.string().trim().min(1).describe("The category's name exactly as in the list"),
          label: knownText("The category's name in the output language"),
          explanation: knownText("When and why this user needs it, one sentence naming the user"),
        }),
      ),
      specific: z.array(
        z.object({
          label: knownText("Short name of the scene, two to four words"),
          explanation: knownText("When and why this user needs it, one sentence naming the user"),
        }),
      ),
    }),
  },
  sceneWithApis: {
    name: "submit_scene",
    description: "Submit the scene, with the APIs the assistant can call in it.",
    schema: z.object({
      scene_desc: knownText("The situation, two to five sentences"),
      scene_context: knownText("Concrete facts the user knows and gives when asked"),
      expected_response: knownText("How an assistant that knows this user should handle the scene"),
      available_apis: z.array(apiDocSchema).min(1).max(4).describe("The one to four APIs the assistant needs"),
    }),
  },
  sceneWithoutApis: {
    name: "submit_scene",
    description: "Submit the scene (no APIs: conversation only).",
    schema: z.object({
      scene_desc: knownText("The situation, two to five sentences"),
      scene_context: knownText("Concrete facts the user knows and gives when asked"),
      expected_response: knownText("How an assistant that knows this user should handle the scene"),
    }),
  },
  query: {
    name: "submit_query",
    description: "Submit the user's first message.",
    schema: z.object({ message: knownText("The first message, in the user's voice") }),
  },
  neutralized: {
    name: "submit_neutralized_query",
    description: "Submit the neutralized request and what was removed.",
    schema: z.object({
      neutralized_query: knownText("The neutral core request"),
      removed: z.array(z.string()).describe("Personal details that were removed"),
    }),
  },
  check: {
    name: "submit_scene_check",
    description: "Submit the review of the scene.",
    schema: z.object({
      answerable: z.boolean(),
      answerable_reason: z.string(),
      leaked_details: z.array(z.string().trim().min(1)).describe("Persona details visible in the neutralized query; empty when none"),
      uses_persona: z.boolean(),
      uses_persona_reason: z.string(),
    }),
  },
  repairedQuery: {
    name: "submit_repaired_query",
    description: "Submit the rewritten neutralized request.",
    schema: z.object({ neutralized_query: knownText("The rewritten neutral request") }),
  },
  repairedResponse: {
    name: "submit_repaired_response",
    description: "Submit the rewritten expected response.",
    schema: z.object({ expected_response: knownText("The rewritten expected response") }),
  },
} as const;

export type SceneCheck = z.infer<typeof TOOLS.check.schema>;
