import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { LearningSummary, TranscriptTurn } from "../index.js";
import type { BenchRole, CostByRole } from "./cost.js";
import type { JudgeOutcome, StructuredOutcome } from "./judge/structuredCall.js";
import type { FirstReplyVerdict, PairwiseVerdict, SimilarityVerdict } from "./judge/judges.js";
import type { ToolCallRecord } from "./toolSimulator.js";

/** How a scene ended. */
export type SceneOutcome = "satisfied" | "capped" | "user_malformed";

/**
 * The learning run at the end of a scene, with the reasons of its rejected changes.
 * @example
 * const learning: SceneLearning | undefined = scene.learning;
 */
export interface SceneLearning extends LearningSummary {
  /** Why each rejected change was rejected (from the persona memory's learning log). */
  rejectedReasons: string[];
  /** Waiting sessions left out of the run by the protocol's window (release protocol). */
  setAside?: string[];
}

/**
 * One finished scene (one session) of one persona under one condition.
 * @example
 * const scenes = records.filter((r): r is SceneResult => r.type === "scene");
 */
export interface SceneResult {
  type: "scene";
  condition: string;
  personaId: string;
  sceneIndex: number;
  /** Which run of the episode (`--repeats`), from 1; absent in older records: 1. */
  repeat?: number;
  /** The scene's thread (one session); a resumed run keeps only recorded scenes' sessions. */
  threadId?: string;
  category: string;
  language: "zh" | "en";
  /** Chatbot replies until the user was satisfied (or the cap). */
  turns: number;
  outcome: SceneOutcome;
  /** Why the simulated user's decision was unreadable, when outcome is user_malformed. */
  userError?: string;
  /** Chatbot replies with no text (unreadable for the user and the judges). */
  emptyReplies?: number;
  query: string;
  firstReply: string;
  transcript: TranscriptTurn[];
  toolCalls: ToolCallRecord[];
  /** The last learning run of this scene, if any. */
  learning: SceneLearning | null;
  /**
   * Every learning run during this scene, oldest first (read from the persona
   * memory's learning log). Inline learning also runs after a reply while
   * failed runs' sessions still wait, so a scene can have several.
   */
  learningRuns?: SceneLearning[];
  /** Persona version after the session (and its learning). */
  personaVersion: number;
  /** First-reply judge (absent when judging is off; "failed" when its call failed: a rerun judges again). */
  judge?: JudgeOutcome<FirstReplyVerdict>;
  cost: CostByRole;
  wallMs: number;
  at: string;
}

/**
 * The end of one persona's episode under one condition.
 * @example
 * const episodes = records.filter((r): r is EpisodeResult => r.type === "episode");
 */
export interface EpisodeResult {
  type: "episode";
  condition: string;
  personaId: string;
  repeat?: number;
  /** Scenes the episode was planned with (the persona is judged as it was after the last of them). */
  scenes: number;
  personaVersion: number;
  /** The persona the chatbot had after the episode's last scene. */
  finalPersona: Record<string, unknown>;
  /** Learned vs golden, per field group (learning conditions only, when judging; "failed": a rerun judges again). */
  similarity?: JudgeOutcome<SimilarityVerdict>;
  cost: CostByRole;
  at: string;
}

/**
 * A persona's episode stopped by an error; rerunning retries from the failed scene.
 * @example
 * const failed = records.filter((r): r is EpisodeFailure => r.type === "episode-error");
 */
export interface EpisodeFailure {
  type: "episode-error";
  condition: string;
  personaId: string;
  repeat?: number;
  sceneIndex: number;
  /** The role whose model call failed, when it was a model call. */
  role?: BenchRole;
  error: string;
  /** Calls made by the failed scene before it stopped. */
  cost?: CostByRole;
  at: string;
}

/**
 * A learning-vs-golden comparison of one scene's first replies, judged in one order.
 * @example
 * const pairwise = records.filter((r): r is PairwiseResult => r.type === "pairwise");
 */
export interface PairwiseResult {
  type: "pairwise";
  condition: string;
  personaId: string;
  sceneIndex: number;
  repeat?: number;
  /** Which condition's reply was shown as A. */
  order: "condition-first" | "golden-first";
  verdict: StructuredOutcome<PairwiseVerdict>;
  /** 1 the condition won, 0.5 tie, 0 golden won; absent when the verdict was malformed. */
  conditionScore?: number;
  cost: CostByRole;
  at: string;
}

/**
 * A pairwise judgment that failed (the judge's endpoint errored); rerunning retries it.
 * @example
 * const retried = records.filter((r): r is PairwiseFailure => r.type === "pairwise-error");
 */
export interface PairwiseFailure {
  type: "pairwise-error";
  condition: string;
  personaId: string;
  sceneIndex: number;
  repeat?: number;
  order: PairwiseResult["order"];
  error: string;
  cost?: CostByRole;
  at: string;
}

/**
 * One line of a run's results.jsonl: a scene, an episode's end or failure, or a pairwise judgment or its failure.
 * @example
 * const records: BenchRecord[] = readFileSync("bench-out/run1/results.jsonl", "utf8").trim().split("\n").map((line) => JSON.parse(line));
 */
export type BenchRecord = SceneResult | EpisodeResult | EpisodeFailure | PairwiseResult | PairwiseFailure;

/** The repeat of a record (1 when absent). */
export function repeatOf(record: { repeat?: number }): number {
  return record.repeat ?? 1;
}

export function sceneKey(condition: string, personaId: string, sceneIndex: number, repeat = 1): string {
  return `${condition}\u0000${personaId}\u0000${sceneIndex}\u0000${repeat}`;
}

export function episodeKey(condition: string, personaId: string, repeat = 1): string {
  return `${condition}\u0000${personaId}\u0000${repeat}`;
}

/**
 * Append-only JSONL records: one line per record, written when the work is
 * done, so an interrupted run loses only the work in flight. A torn last line
 * (a kill mid-write) is skipped on reading and reported.
 */
export class JsonlLog<R> {
  readonly records: R[] = [];
  readonly skippedLines: number[] = [];

  constructor(
    readonly path: string,
    options: { readOnly?: boolean } = {},
  ) {
    if (!options.readOnly) mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) return;
    const text = readFileSync(path, "utf8");
    text.split("\n").forEach((line, i) => {
      if (!line.trim()) return;
      try {
        this.records.push(JSON.parse(line) as R);
      } catch {
        this.skippedLines.push(i + 1);
      }
    });
    // Ensure the next record starts on its own line after a torn write.
    if (!options.readOnly && text.length > 0 && !text.endsWith("\n")) appendFileSync(path, "\n");
  }

  append(record: R): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
    this.records.push(record);
  }
}

/** The PersonaBench suite's results log (see JsonlLog). */
export class ResultsLog extends JsonlLog<BenchRecord> {
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
    return new Set(this.scenes().map((s) => sceneKey(s.condition, s.personaId, s.sceneIndex, repeatOf(s))));
  }
}
