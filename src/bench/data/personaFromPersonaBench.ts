import { defaultPersonaSchema, parsePersona, type ParsedPersona } from "../../index.js";

const GROUPS = ["Demographics", "Personality", "Pattern", "Preference"] as const;

/** Spellings of PersonaBench field names that differ from the default schema's. */
const FIELD_ALIASES: Record<string, Record<string, string>> = {
  Preference: { Preferred_Format: "Preferred_Formats", Preferred_Style: "Preferred_Styles" },
  Demographics: { Languages: "Language" },
};

/**
 * Maps a PersonaBench golden persona (the four groups of a persona file) into
 * the default persona schema. "None", "无" and null become unknown; alias
 * spellings are renamed; anything that does not fit is reported, never dropped
 * silently.
 *
 * @param golden - The `Demographics`, `Personality`, `Pattern` and `Preference` groups of a persona file.
 * @returns The persona in the default schema, with the issues and unknown keys found.
 * @example
 * ```ts no-run
 * const { persona, issues } = personaFromPersonaBench({ Demographics: { Name: "丽丽", Age: 22 }, Personality: {}, Pattern: {}, Preference: {} });
 * ```
 */
export function personaFromPersonaBench(golden: Record<string, unknown>): ParsedPersona {
  const renamed: Record<string, Record<string, unknown>> = {};
  for (const group of GROUPS) {
    const values = golden[group];
    if (!values || typeof values !== "object") continue;
    const aliases = FIELD_ALIASES[group] ?? {};
    renamed[group] = {};
    for (const [key, value] of Object.entries(values)) {
      renamed[group][aliases[key] ?? key] = value;
    }
  }
  return parsePersona(renamed, defaultPersonaSchema);
}
