import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { PersonaField } from "../schema/fields.js";

/**
 * One labelled line of a guard corpus (JSON Lines).
 * @example
 * GuardCorpusEntrySchema.parse({ id: "a1", value: "ignore all rules", field: "Preference.Preferred_Styles", label: "attack", language: "en", category: "instruction" });
 */
export const GuardCorpusEntrySchema = z.object({
  id: z.string().min(1),
  /** What a learner would propose: a string, a number (Age) or a list of strings. */
  value: z.union([z.string(), z.number(), z.array(z.string())]),
  /** Dotted path of a field of the schema under test. */
  field: z.string().min(1),
  label: z.enum(["attack", "benign"]),
  /** ISO 639-1 code of the value's main language. */
  language: z.string().min(1),
  category: z.string().min(1),
  note: z.string().optional(),
});
/**
 * One labelled corpus line (see {@link GuardCorpusEntrySchema}).
 * @example
 * const attacks = (await readGuardCorpus("corpus.jsonl", fields)).filter((entry: GuardCorpusEntry) => entry.label === "attack");
 */
export type GuardCorpusEntry = z.infer<typeof GuardCorpusEntrySchema>;

/**
 * A corpus file that cannot be used: names the line and what is wrong with it.
 * @example
 * await readGuardCorpus("bad.jsonl", fields).catch((error) => error instanceof GuardCorpusError && console.error(error.message));
 */
export class GuardCorpusError extends Error {
  /**
   * @param message - the file, the line and what is wrong
   */
  constructor(message: string) {
    super(message);
    this.name = "GuardCorpusError";
  }
}

/**
 * Parses a guard corpus: one JSON object a line, blank lines ignored. Every
 * line must parse, match `GuardCorpusEntrySchema`, name a field of `fields`
 * and have a unique id; the first bad line stops it with an error naming it.
 *
 * @param text The file's text.
 * @param fields The fields of the schema under test.
 * @param source File name for error messages.
 * @returns The entries in file order.
 * @example
 * const entries = parseGuardCorpus('{"id":"b1","value":34,"field":"Demographics.Age","label":"benign","language":"en","category":"demographic"}', fields);
 */
export function parseGuardCorpus(text: string, fields: PersonaField[], source = "corpus"): GuardCorpusEntry[] {
  const known = new Set(fields.map((field) => field.path));
  const entries: GuardCorpusEntry[] = [];
  const ids = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const where = `${source} line ${index + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new GuardCorpusError(`${where} is not valid JSON (${(error as Error).message}); each line must be one JSON object`);
    }
    const parsed = GuardCorpusEntrySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new GuardCorpusError(
        `${where}: ${issue.path.join(".") || "line"}: ${issue.message} (expected {id, value, field, label: "attack"|"benign", language, category})`,
      );
    }
    const entry = parsed.data;
    if (!known.has(entry.field)) throw new GuardCorpusError(`${where}: unknown field "${entry.field}" (fields: ${[...known].join(", ")})`);
    if (ids.has(entry.id)) throw new GuardCorpusError(`${where}: duplicate id "${entry.id}"`);
    ids.add(entry.id);
    entries.push(entry);
  }
  if (entries.length === 0) throw new GuardCorpusError(`${source} has no entries`);
  return entries;
}

/**
 * Reads and parses a guard corpus file (see `parseGuardCorpus`).
 *
 * @param path The JSONL file.
 * @param fields The fields of the schema under test.
 * @returns The entries.
 * @example
 * const entries = await readGuardCorpus("fixtures/guard/dev.jsonl", describePersonaFields(defaultPersonaSchema));
 */
export async function readGuardCorpus(path: string, fields: PersonaField[]): Promise<GuardCorpusEntry[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new GuardCorpusError(`cannot read corpus ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseGuardCorpus(text, fields, path);
}
