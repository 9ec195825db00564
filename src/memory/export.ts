import { z } from "zod";
import { describeRecordProblem, type PersonaMemory } from "./personaMemory.js";
import {
  LearningRecordSchema,
  PersonaDocumentSchema,
  PersonaVersionSchema,
  SessionRecordSchema,
  ThreadOwnerSchema,
  TurnRecordSchema,
} from "./records.js";

/**
 * The schema of `persona export`: everything stored about one user, that is everything `forget` erases.
 * @example
 * const parsed = PersonaExportSchema.parse(JSON.parse(readFileSync("alice.json", "utf8")));
 */
export const PersonaExportSchema = z.object({
  format: z.literal("langgraph-persona-export"),
  formatVersion: z.literal(2),
  exportedAt: z.string().datetime(),
  userId: z.string().min(1),
  persona: PersonaDocumentSchema,
  history: z.array(PersonaVersionSchema),
  sessions: z.array(SessionRecordSchema.extend({ transcript: z.array(TurnRecordSchema) })),
  threads: z.array(ThreadOwnerSchema),
  learningLog: z.array(LearningRecordSchema),
  pendingReview: z.record(z.string(), z.unknown()).nullable(),
  /** Rows moved aside because they did not fit their schema. */
  quarantine: z.array(z.object({ key: z.string(), value: z.unknown() })),
  /** Rows that could not be read and are left out above, one line each. */
  problems: z.array(z.string()),
});

/**
 * An export document (see {@link PersonaExportSchema}).
 * @example
 * const data: PersonaExport = await exportPersona(memory);
 */
export type PersonaExport = z.infer<typeof PersonaExportSchema>;

/**
 * Everything stored about the user: persona, history, sessions with their
 * transcripts, threads, learning log, a pending review and quarantined rows.
 * Rows that do not fit their schema are left out and listed in `problems`, so
 * one bad row never stops the export.
 *
 * @param memory the user's memory
 * @returns the export document
 * @example JSON.stringify(await exportPersona(new PersonaMemory(store, "alice")))
 */
export async function exportPersona(memory: PersonaMemory): Promise<PersonaExport> {
  const sessions = [];
  for (const session of await memory.sessions()) {
    sessions.push({ ...session, transcript: await memory.turns(session.sessionId) });
  }
  const document = {
    format: "langgraph-persona-export" as const,
    formatVersion: 2 as const,
    exportedAt: new Date().toISOString(),
    userId: memory.userId,
    persona: await memory.load(),
    history: await memory.history(),
    sessions,
    threads: await memory.threads(),
    learningLog: await memory.learningLog(),
    pendingReview: ((await memory.pendingReview()) as Record<string, unknown> | undefined) ?? null,
    quarantine: (await memory.quarantined()).map((item) => ({ key: item.key, value: item.value })),
    problems: memory.problems.map(describeRecordProblem),
  };
  return PersonaExportSchema.parse(document);
}
