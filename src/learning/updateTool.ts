import { z } from "zod";
import type { PersonaField } from "../schema/fields.js";

/**
 * Name of the tool the learner model calls to propose persona changes.
 * @example
 * const called = reply.tool_calls?.some((call) => call.name === UPDATE_PERSONA_TOOL);
 */
export const UPDATE_PERSONA_TOOL = "update_persona";

/** The arguments the learner model must send, built from the persona's own fields. */
export function updatePersonaArgsSchema(fields: PersonaField[]) {
  const paths = fields.map((field) => field.path) as [string, ...string[]];
  return z.object({
    changes: z
      .array(
        z.object({
          op: z.enum(["set", "clear"]).describe('"set" a field to a value, or "clear" it'),
          field: z.enum(paths).describe("Dotted path of the persona field"),
          value: z
            .union([z.string(), z.number(), z.array(z.string())])
            .optional()
            .describe("The new value for set; omit for clear"),
          evidence: z.string().describe("Short verbatim quote of the user's own words supporting the change"),
        }),
      )
      .describe("Field-level changes; empty when nothing should change"),
  });
}

/**
 * A tool definition (name, description, schema) ready for `model.bindTools`.
 * @param fields - the persona's fields ({@link describePersonaFields})
 * @returns the tool definition, its `changes` argument limited to the persona's field paths
 * @example
 * const learner = model.bindTools([updatePersonaTool(describePersonaFields(defaultPersonaSchema))]);
 */
export function updatePersonaTool(fields: PersonaField[]) {
  return {
    name: UPDATE_PERSONA_TOOL,
    description:
      "Apply field-level changes to the user's persona. Each change sets or clears one field and quotes the user's words as evidence.",
    schema: updatePersonaArgsSchema(fields),
  };
}
