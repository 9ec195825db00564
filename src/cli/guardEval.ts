import { describePersonaFields } from "../schema/fields.js";
import { defaultPersonaSchema } from "../schema/defaultSchema.js";
import { GuardCorpusError, readGuardCorpus } from "../learning/guardCorpus.js";
import { evaluateGuard, type GuardEvalFigures, type GuardEvalReport } from "../learning/evaluateGuard.js";
import { createChatModelFromEnv } from "../models/openaiCompatible.js";
import type { CliCommand, CommandIO } from "./command.js";
import { UsageError } from "./errors.js";
import { MAX_CONCURRENCY, parsePositiveInteger } from "./settings.js";

export interface GuardEvalCliOptions {
  corpus?: string;
  model?: string;
  baseUrl?: string;
  concurrency?: string;
  json?: boolean;
  semanticAll?: boolean;
  review?: boolean;
}

const pct = (n: number, d: number) => (d === 0 ? "-" : `${((100 * n) / d).toFixed(1)}%`);
const frac = (n: number, d: number) => `${n}/${d} (${pct(n, d)})`;

function layerRow(name: string, f: GuardEvalFigures): string {
  return `  ${name.padEnd(26)} ${frac(f.attacksStopped, f.attacks).padEnd(20)} ${frac(f.benignRejected, f.benign)}`;
}

/** The report as text: per layer, overall, per category and language, cost. */
export function formatGuardEvalReport(report: GuardEvalReport, corpus: string): string {
  const lines: string[] = [];
  lines.push(`guard-eval ${corpus}: ${report.entries} entries (${report.attacks} attacks, ${report.benign} benign)`);
  lines.push("");
  lines.push(`  ${"layer (each on its own)".padEnd(26)} ${"attacks stopped".padEnd(20)} benign rejected`);
  lines.push(layerRow("1 structural", report.layers.structural));
  lines.push(layerRow("2 typed fields", report.layers.typed));
  lines.push(layerRow("4 evidence (simulated)", report.layers.evidence));
  if (report.layers.semantic) {
    const s = report.layers.semantic;
    lines.push(layerRow(`3 semantic (${s.only === "all" ? "all entries" : "entries 1,2,4 passed"})`, s));
  } else {
    lines.push(`  ${"3 semantic".padEnd(26)} not measured (no --model)`);
  }
  lines.push("");
  const m = report.modelFree;
  lines.push(
    `model-free layers 1,2,4 together: attacks stored ${frac(m.attacks - m.attacksStopped, m.attacks)}, benign rejected ${frac(m.benignRejected, m.benign)}`,
  );
  lines.push(
    `  stopped first by (write-path order): ${
      Object.entries(m.stoppedFirstBy)
        .map(([layer, n]) => `${layer} ${n.attacks} attacks / ${n.benign} benign`)
        .join(", ") || "none"
    }`,
  );
  const o = report.overall;
  lines.push(
    `overall (${o.layersMeasured.join(", ")}): attacks stored ${frac(o.attacksStored, o.attacks)}, benign rejected ${frac(o.benignRejected, o.benign)}` +
      (o.toReview ? `, sent to review ${o.toReview}` : "") +
      (o.errors ? `, ERRORS ${o.errors} (not counted as stopped or stored)` : ""),
  );
  lines.push("");
  lines.push("by category (attack: stored / benign: rejected):");
  for (const row of report.byCategory) {
    const shown = row.label === "attack" ? row.n - row.stopped : row.stopped;
    lines.push(`  ${row.label.padEnd(7)} ${row.name.padEnd(22)} ${frac(shown, row.n)}`);
  }
  lines.push("by language (attack: stored / benign: rejected):");
  for (const row of report.byLanguage) {
    const shown = row.label === "attack" ? row.n - row.stopped : row.stopped;
    lines.push(`  ${row.label.padEnd(7)} ${row.name.padEnd(22)} ${frac(shown, row.n)}`);
  }
  lines.push("");
  lines.push(`cost: model-free layers ${report.modelFreeMs.toFixed(1)} ms for ${report.entries} entries, no model calls`);
  if (report.semantic.measured) {
    const c = report.semantic.cost;
    lines.push(
      `      semantic layer: ${c.calls} calls, ${c.promptTokens} prompt + ${c.completionTokens} completion tokens` +
        `${c.callsWithoutUsage ? ` (${c.callsWithoutUsage} calls reported no usage)` : ""}, ${(c.ms / 1000).toFixed(1)} s of calls, ` +
        `${c.unreadable} unreadable verdicts, ${c.errors} failed calls`,
    );
    lines.push(`      verdicts: ${Object.entries(report.semantic.labels).map(([label, n]) => `${label} ${n}`).join(", ") || "none"}`);
  } else {
    lines.push("      semantic layer: not measured; run with --model <name> [--base-url <url>] to measure it");
  }
  return lines.join("\n");
}

/**
 * `persona guard-eval`: runs a labelled JSONL corpus through the guard's
 * layers and prints what each stops. Exit code 2 for a bad corpus (the line is
 * named), 1 when model calls failed (the figures are then incomplete).
 */
export async function runGuardEval(options: GuardEvalCliOptions, io: CommandIO): Promise<void> {
  if (!options.corpus) throw new UsageError("--corpus <file.jsonl> is required");
  const concurrency = parsePositiveInteger("--concurrency", options.concurrency, MAX_CONCURRENCY);
  if (options.baseUrl !== undefined && !options.model) throw new UsageError("--base-url needs --model <name>");
  const fields = describePersonaFields(defaultPersonaSchema);
  let corpus;
  try {
    corpus = await readGuardCorpus(options.corpus, fields);
  } catch (error) {
    if (error instanceof GuardCorpusError) throw new UsageError(error.message);
    throw error;
  }
  const model = options.model
    ? createChatModelFromEnv({
        model: options.model,
        temperature: 0,
        env: options.baseUrl ? { ...process.env, OPENAI_BASE_URL: options.baseUrl } : process.env,
      })
    : undefined;
  const progress = (done: number, total: number) => {
    if (done === total || done % 25 === 0) io.errors.write(`guard-eval: ${done}/${total} entries classified\n`);
  };
  const report = await evaluateGuard(corpus, {
    ...(model ? { model } : {}),
    ...(concurrency ? { concurrency } : {}),
    semanticAll: options.semanticAll ?? false,
    review: options.review ?? false,
    onProgress: progress,
  });
  io.output.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatGuardEvalReport(report, options.corpus)}\n`);
  if (report.overall.errors > 0 || report.semantic.cost.errors > 0) {
    throw new Error(`${report.semantic.cost.errors} semantic guard calls failed; the figures above are incomplete`);
  }
}

export const guardEvalCommand: CliCommand = {
  name: "guard-eval",
  usage: "--corpus <file.jsonl> [--model <name> [--base-url <url>]] [--concurrency <n>] [--semantic-all] [--review] [--json]",
  summary: "Measure the poisoning guard on a labelled corpus: attacks stored and benign values rejected, per layer.",
  flags: ["corpus", "model", "base-url", "concurrency"],
  booleanFlags: ["json", "semantic-all", "review"],
  run: (flags, io) =>
    runGuardEval(
      {
        corpus: flags.text("corpus"),
        model: flags.text("model"),
        baseUrl: flags.text("base-url"),
        concurrency: flags.text("concurrency"),
        json: flags.on("json"),
        semanticAll: flags.on("semantic-all"),
        review: flags.on("review"),
      },
      io,
    ),
};
