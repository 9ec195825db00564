import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { CostByRole } from "./cost.js";
import type { StructuredOutcome } from "./judge/structuredCall.js";
import type { FirstReplyVerdict, PairwiseVerdict, SimilarityVerdict } from "./judge/judges.js";
import type { ToolCallRecord } from "./toolSimulator.js";
import type { TranscriptTurn } from "../memory/records.js";
import type { LearningSummary } from "../graph/state.js";

/** How a scene ended. */
export type SceneOutcome = "satisfied" | "capped" | "user_malformed";

/** One finished scene (one session) of one persona under one condition. */
export interface SceneResult {
  type: "scene";
  condition: string;
  personaId: string;
  sceneIndex: number;
  category: string;
  language: "zh" | "en";
  /** Chatbot replies until the user was satisfied (or the cap). */
  turns: number;
  outcome: SceneOutcome;
  /** Why the simulated user's decision was unreadable, when outcome is user_malformed. */
  userError?: string;
  query: string;
  firstReply: string;
  transcript: TranscriptTurn[];
  toolCalls: ToolCallRecord[];
  /** Learning run at the end of this session, if any. */
  learning: LearningSummary | null;
  /** Persona version after the session. */
  personaVersion: number;
  /** First-reply judge (absent when judging is off). */
  judge?: StructuredOutcome<FirstReplyVerdict>;
  cost: CostByRole;
  wallMs: number;
  at: string;
}

/** The end of one persona's episode under one condition. */
export interface EpisodeResult {
  type: "episode";
  condition: string;
  personaId: string;
  /** Scenes the episode was planned with. */
  scenes: number;
  personaVersion: number;
  /** The persona the chatbot had at the end. */
  finalPersona: Record<string, unknown>;
  /** Learned vs golden, per field group (learning conditions only, when judging). */
  similarity?: StructuredOutcome<SimilarityVerdict>;
  cost: CostByRole;
  at: string;
}

/** A persona's episode stopped by an error; rerunning retries from the failed scene. */
export interface EpisodeFailure {
  type: "episode-error";
  condition: string;
  personaId: string;
  sceneIndex: number;
  error: string;
  at: string;
}

/** A learning-vs-golden comparison of one scene's first replies, judged in one order. */
export interface PairwiseResult {
  type: "pairwise";
  condition: string;
  personaId: string;
  sceneIndex: number;
  /** Which condition's reply was shown as A. */
  order: "condition-first" | "golden-first";
  verdict: StructuredOutcome<PairwiseVerdict>;
  /** 1 the condition won, 0.5 tie, 0 golden won; absent when the verdict was malformed. */
  conditionScore?: number;
  cost: CostByRole;
  at: string;
}

/** A pairwise judgment that failed (the judge's endpoint errored); rerunning retries it. */
export interface PairwiseFailure {
  type: "pairwise-error";
  condition: string;
  personaId: string;
  sceneIndex: number;
  order: PairwiseResult["order"];
  error: string;
  at: string;
}

export type BenchRecord = SceneResult | EpisodeResult | EpisodeFailure | PairwiseResult | PairwiseFailure;

export function sceneKey(condition: string, personaId: string, sceneIndex: number): string {
  return `${condition}\u0000${personaId}\u0000${sceneIndex}`;
}

export function episodeKey(condition: string, personaId: string): string {
  return `${condition}\u0000${personaId}`;
}

/**
 * Append-only JSONL results: one line per record, written when the work is
 * done, so an interrupted run loses only the scenes in flight. A torn last
 * line (a kill mid-write) is skipped on reading and reported.
 */
export class ResultsLog {
  readonly records: BenchRecord[] = [];
  readonly skippedLines: number[] = [];

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) return;
    const lines = readFileSync(path, "utf8").split("\n");
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      try {
        this.records.push(JSON.parse(line) as BenchRecord);
      } catch {
        this.skippedLines.push(i + 1);
      }
    });
    // Ensure the next record starts on its own line after a torn write.
    const text = readFileSync(path, "utf8");
    if (text.length > 0 && !text.endsWith("\n")) appendFileSync(path, "\n");
  }

  append(record: BenchRecord): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
    this.records.push(record);
  }

  scenes(): SceneResult[] {
    return this.records.filter((r): r is SceneResult => r.type === "scene");
  }

  episodes(): EpisodeResult[] {
    return this.records.filter((r): r is EpisodeResult => r.type === "episode");
  }

  failures(): EpisodeFailure[] {
    return this.records.filter((r): r is EpisodeFailure => r.type === "episode-error");
  }

  pairwise(): PairwiseResult[] {
    return this.records.filter((r): r is PairwiseResult => r.type === "pairwise");
  }

  doneScenes(): Set<string> {
    return new Set(this.scenes().map((s) => sceneKey(s.condition, s.personaId, s.sceneIndex)));
  }
}
