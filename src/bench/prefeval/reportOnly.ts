import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { JsonlLog } from "../results.js";
import { DEFAULT_MAX_FAILURE_RATE, RESULTS_FILE } from "../runBench.js";
import type { PrefEvalRecord } from "./results.js";
import { writePrefEvalReport, type WrittenPrefEvalReport } from "./report/writeReport.js";
import { readPrefEvalRunRecord } from "./runPrefEval.js";

/**
 * Rebuilds summary.json, report.md, stored-personas.md and the charts of a
 * PrefEval output folder from its results.jsonl and run.json, without any
 * model endpoint.
 *
 * @param options - The folder and the failure threshold.
 * @returns The written report.
 * @example
 * ```ts no-run
 * const { summary } = await rebuildPrefEvalReport({ out: "prefeval-out" });
 * ```
 */
export async function rebuildPrefEvalReport(options: { out: string; maxFailureRate?: number }): Promise<WrittenPrefEvalReport & { outDir: string; skippedLines: number[] }> {
  const outDir = resolve(options.out);
  const run = readPrefEvalRunRecord(outDir);
  if (!run || run.suite !== "prefeval" || !existsSync(join(outDir, RESULTS_FILE))) {
    throw new Error(`${outDir} has no PrefEval run.json and ${RESULTS_FILE}: pass the --out folder of an earlier persona bench --suite prefeval run`);
  }
  const log = new JsonlLog<PrefEvalRecord>(join(outDir, RESULTS_FILE), { readOnly: true });
  const report = await writePrefEvalReport(outDir, log.records, {
    scope: run.scope,
    maxFailureRate: options.maxFailureRate ?? DEFAULT_MAX_FAILURE_RATE,
    context: {
      data: run.identity.data,
      itemsByGroup: run.itemsByGroup,
      models: run.identity.models,
      semanticGuard: run.identity.semanticGuard,
      goldenField: run.identity.goldenField,
      dataWarnings: run.dataWarnings,
      dataErrors: run.dataErrors,
    },
  });
  return { ...report, outDir, skippedLines: log.skippedLines };
}
