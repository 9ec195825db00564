import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { CostTable } from "./cost.js";
import type { ReleasePersonaFile, SceneCategory } from "./records.js";
import type { DropRecord, FailureRecord, JobOutcome, SimilarityRecord } from "./state.js";

/** Settings that change what is generated: a resumed run must use the same ones. */
export interface RunIdentity {
  source: { kind: "seeds"; file: string; seeds: number } | { kind: "population"; text: string };
  scenes: number;
  language: string;
  noApiScenes: number | null;
  specificScenes: number | null;
  maxPersonaSimilarity: number;
  maxSceneSimilarity: number;
  models: Record<string, { model: string; baseURL: string }>;
}

/** What one slot's graph run recorded (summed over the run for the report). */
export interface SlotFigures {
  drops: DropRecord[];
  failures: FailureRecord[];
  similarities: SimilarityRecord[];
  stats: Record<string, number>;
  cost: CostTable;
}

export type LogRecord =
  | { type: "run"; identity: RunIdentity; personas: number; at: string }
  | ({ type: "categories"; categories: SceneCategory[]; at: string } & Pick<SlotFigures, "stats" | "cost">)
  | ({ type: "persona"; slot: number; file: string; name: string; personaText: string; seedSummary: string; data: ReleasePersonaFile; at: string } & SlotFigures)
  | ({ type: "dropped"; slot: number; name: string | null; outcome: JobOutcome; at: string } & SlotFigures)
  | ({ type: "failed"; slot: number; name: string | null; outcome: JobOutcome; at: string } & SlotFigures);

/**
 * The run's log, `generation-log.jsonl` in the output folder: one JSON line
 * per run start, per generated category list and per finished slot (written,
 * dropped or failed). A persona is logged, with its data, before its file is
 * written, so the log is the record of what is done: a kill between the two
 * is repaired on the next run. A line cut by a kill is skipped.
 */
export class GenerationLog {
  readonly records: LogRecord[] = [];
  /** Line numbers (from 1) that could not be read. */
  readonly skippedLines: number[] = [];

  constructor(readonly path: string) {
    if (!existsSync(path)) return;
    const text = readFileSync(path, "utf8");
    // A line cut by a kill has no newline: end it, so the next record starts a line of its own.
    if (text && !text.endsWith("\n")) appendFileSync(path, "\n");
    text
      .split("\n")
      .forEach((line, index) => {
        if (!line.trim()) return;
        try {
          this.records.push(JSON.parse(line) as LogRecord);
        } catch {
          this.skippedLines.push(index + 1);
        }
      });
  }

  /** Appends one record and flushes it to disk. */
  append(record: LogRecord): void {
    const fd = openSync(this.path, "a");
    try {
      appendFileSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.records.push(record);
  }

  /** The first run's identity, if any run was logged. */
  identity(): RunIdentity | undefined {
    return this.records.find((record): record is Extract<LogRecord, { type: "run" }> => record.type === "run")?.identity;
  }

  /** Written personas, one per slot (the first record of a slot wins). */
  personas(): Array<Extract<LogRecord, { type: "persona" }>> {
    const seen = new Set<number>();
    return this.records.filter((record): record is Extract<LogRecord, { type: "persona" }> => {
      if (record.type !== "persona" || seen.has(record.slot)) return false;
      seen.add(record.slot);
      return true;
    });
  }

  /** Slots that need no more work: written or dropped. */
  doneSlots(): Set<number> {
    return new Set(this.records.flatMap((record) => (record.type === "persona" || record.type === "dropped" ? [record.slot] : [])));
  }
}

/**
 * Writes a file atomically: a temporary file beside it (not ending in .json,
 * so a data loader never reads it), flushed, then renamed over the target.
 *
 * @param path - The target file.
 * @param text - Its content.
 * @example
 * writeFileAtomically("out/Ana.json", JSON.stringify(data));
 */
export function writeFileAtomically(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(temporary, "w");
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
