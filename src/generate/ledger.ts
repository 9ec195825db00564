import { ConfigurationError } from "../models/openaiCompatible.js";
import type { CostTable } from "./cost.js";
import { StructuredOutputError, type CallLedger } from "./structuredCall.js";
import type { GenerationStage } from "./records.js";
import type { DropRecord, FailureRecord, GeneratorUpdate, PersonaJob, SimilarityRecord } from "./state.js";

/** What one node run records: costs, counts, drops, failures and similarities, returned as one state update. */
export class StageLedger implements CallLedger {
  readonly cost: CostTable = {};
  readonly stats: Record<string, number> = {};
  readonly drops: DropRecord[] = [];
  readonly failures: FailureRecord[] = [];
  readonly similarities: SimilarityRecord[] = [];

  constructor(readonly stage: GenerationStage) {}

  /** Adds to the counter "<stage>.<name>". */
  count(name: string, by = 1): void {
    const key = `${this.stage}.${name}`;
    this.stats[key] = (this.stats[key] ?? 0) + by;
  }

  drop(job: PersonaJob, reason: string, detail: string, scene?: { position: number; sceneType: string }): void {
    this.drops.push({
      slot: job.slot,
      persona: job.persona?.Demographics.Name ?? job.seed?.Name ?? null,
      stage: this.stage,
      reason,
      scene: scene?.position ?? null,
      sceneType: scene?.sceneType ?? null,
      detail,
    });
    this.count(`dropped.${reason}`);
  }

  /**
   * Records an error: invalid output after every retry, or a failed model
   * call. A configuration error (no endpoint, ...) is not one persona's
   * failure: it is thrown on, and fails the run.
   */
  fail(slot: number | null, error: unknown): FailureRecord {
    if (error instanceof ConfigurationError) throw error;
    const record: FailureRecord = {
      slot,
      stage: this.stage,
      kind: error instanceof StructuredOutputError ? "invalid-output" : "model-error",
      message: (error as Error)?.message?.split("\n")[0] ?? String(error),
    };
    this.failures.push(record);
    this.count(`failed.${record.kind}`);
    return record;
  }

  /** The state update: the given fields plus everything recorded. */
  update(fields: GeneratorUpdate = {}): GeneratorUpdate {
    return {
      ...fields,
      cost: this.cost,
      stats: this.stats,
      drops: this.drops,
      failures: this.failures,
      similarities: this.similarities,
    };
  }
}

/**
 * Marks a job failed (a rerun tries it again). The error is recorded in the
 * ledger unless `record` says it already was (one error failing many jobs).
 */
export function failJob(job: PersonaJob, ledger: StageLedger, error: unknown, record?: FailureRecord): PersonaJob {
  const failure = record ?? ledger.fail(job.slot, error);
  return { ...job, status: "failed", outcome: { stage: ledger.stage, reason: failure.kind, detail: failure.message } };
}
