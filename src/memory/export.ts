import { z } from "zod";
import type { PersonaMemory } from "./personaMemory.js";

const change = z.object({
  op: z.enum(["set", "clear"]),
  field: z.string(),
  value: z.unknown().optional(),
  previous: z.unknown().optional(),
  evidence: z.string(),
});
const rejected = z.object({ change: z.unknown(), reason: z.string() });

/** The schema of `persona export`: everything stored about one user. */
export const PersonaExportSchema = z.object({
  format: z.literal("langgraph-persona-export"),
  formatVersion: z.literal(1),
  exportedAt: z.string().datetime(),
  userId: z.string().min(1),
  persona: z.object({
    userId: z.string(),
    version: z.number().int().min(0),
    persona: z.record(z.string(), z.unknown()),
    updatedAt: z.string(),
  }),
  history: z.array(
    z.object({
      version: z.number().int().min(1),
      parentVersion: z.number().int().min(0),
      createdAt: z.string(),
      source: z.enum(["learning", "rollback", "manual", "review"]),
      changes: z.array(change),
      rejected: z.array(rejected),
      sessionIds: z.array(z.string()),
      persona: z.record(z.string(), z.unknown()),
      note: z.string().optional(),
    }),
  ),
  sessions: z.array(
    z.object({
      sessionId: z.string(),
      threadId: z.string(),
      status: z.enum(["open", "ended", "learned"]),
      startedAt: z.string(),
      endedAt: z.string().optional(),
      endReason: z.enum(["explicit", "new_thread"]).optional(),
      learnedAt: z.string().optional(),
      learnedInVersion: z.number().int().optional(),
      transcript: z.array(z.object({ role: z.enum(["user", "assistant"]), text: z.string() })),
    }),
  ),
  learningLog: z.array(
    z.object({
      id: z.string(),
      at: z.string(),
      sessionIds: z.array(z.string()),
      outcome: z.string(),
      version: z.number().int().optional(),
      appliedCount: z.number().int().min(0),
      rejected: z.array(rejected),
      error: z.string().optional(),
    }),
  ),
});

export type PersonaExport = z.infer<typeof PersonaExportSchema>;

/** Everything stored about the user: persona, history, sessions with transcripts, learning log. */
export async function exportPersona(memory: PersonaMemory): Promise<PersonaExport> {
  const sessions = await memory.sessions();
  const withTranscripts = [];
  for (const session of sessions) {
    withTranscripts.push({ ...session, transcript: (await memory.transcript(session.sessionId))?.turns ?? [] });
  }
  return PersonaExportSchema.parse({
    format: "langgraph-persona-export",
    formatVersion: 1,
    exportedAt: new Date().toISOString(),
    userId: memory.userId,
    persona: await memory.load(),
    history: await memory.history(),
    sessions: withTranscripts,
    learningLog: await memory.learningLog(),
  });
}
