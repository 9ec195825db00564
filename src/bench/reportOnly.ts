import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ResultsLog } from "./results.js";
import { scopeOfRecords, type ReportScope } from "./report/summarize.js";
import { writeReport, type WrittenReport } from "./report/writeReport.js";
import { DEFAULT_MAX_FAILURE_RATE, readRunRecord, RESULTS_FILE } from "./runBench.js";
import type { ProtocolName } from "./protocol.js";
import type { BenchRole } from "./cost.js";
import type { RoleModelInfo } from "./models.js";

/**
 * Options of {@link rebuildReport}: the output folder and an optional narrower scope.
 * @example
 * await rebuildReport({ out: "bench-out/run1", personas: 2 } satisfies RebuildReportOptions);
 */
export interface RebuildReportOptions {
  /** The output folder of an earlier run. */
  out: string;
  /**
   * Narrow the report to the first N personas of the recorded scope.
   * @default all recorded
   */
  personas?: number;
  /**
   * Narrow the report to each persona's first M scenes.
   * @default all recorded
   */
  scenes?: number;
  /** @default 0.05 */
  maxFailureRate?: number;
}

/**
 * Rebuilds summary.json, report.md and the charts of an output folder from
 * its results.jsonl and run.json, without any model endpoint.
 *
 * @param options - The folder and an optional narrower scope.
 * @returns The written report.
 * @example
 * ```ts no-run
 * const { summary } = await rebuildReport({ out: "bench-out" });
 * ```
 */
export async function rebuildReport(options: RebuildReportOptions): Promise<WrittenReport & { outDir: string; skippedLines: number[] }> {
  const outDir = resolve(options.out);
  const run = readRunRecord(outDir);
  if ((run as { suite?: string } | undefined)?.suite === "prefeval") {
    throw new Error(`${outDir} holds a PrefEval run: rebuild it with rebuildPrefEvalReport (persona bench --suite prefeval --report-only)`);
  }
  if (!run || !existsSync(join(outDir, RESULTS_FILE))) {
    throw new Error(`${outDir} has no run.json and ${RESULTS_FILE}: pass the --out folder of an earlier persona bench run`);
  }
  const log = new ResultsLog(join(outDir, RESULTS_FILE), { readOnly: true });
  const recorded = run.scope ?? scopeOfRecords(log.records);
  const scope: ReportScope = {
    personas: recorded.personas
      .slice(0, options.personas ?? recorded.personas.length)
      .map((p) => ({ id: p.id, scenes: Math.min(p.scenes, options.scenes ?? p.scenes) })),
    repeats: recorded.repeats,
  };
  const report = await writeReport(outDir, log.records, {
    conditions: run.conditions,
    turnCap: run.identity.turnCap,
    scope,
    maxFailureRate: options.maxFailureRate ?? DEFAULT_MAX_FAILURE_RATE,
    context: {
      title: "PersonaBench evaluation",
      data: run.identity.data,
      personas: scope.personas.length,
      scenesPerPersona: [...new Set(scope.personas.map((p) => p.scenes))].join(", "),
      repeats: scope.repeats,
      protocol: (run.identity.protocol ?? "default") as ProtocolName,
      models: run.identity.models as Record<BenchRole, RoleModelInfo>,
      judge: run.judge ?? true,
      sceneToChatbot: run.identity.sceneToChatbot,
      conditionNotes: run.conditionNotes ?? Object.fromEntries(run.conditions.map((c) => [c, ""])),
      dataWarnings: 0,
      dataErrors: 0,
    },
  });
  return { ...report, outDir, skippedLines: log.skippedLines };
}
