import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { z } from "zod";
import { checkEvidence, normalizeForQuote } from "../guard/evidence.js";
import { classifyPersonaValues } from "../guard/semantic.js";
import { checkStructure } from "../guard/structural.js";
import { checkTypedValue, stringsIn } from "../guard/typed.js";
import { addSemanticCost, emptySemanticCost, type GuardLayer, type SemanticGuardCost, type SemanticVerdict } from "../guard/verdict.js";
import { defaultPersonaSchema } from "../schema/defaultSchema.js";
import { describePersonaFields, type PersonaField } from "../schema/fields.js";
import { policyFor, type FieldPolicies } from "./fieldPolicies.js";
import type { GuardCorpusEntry } from "./guardCorpus.js";
import { poisoningGuard } from "./guards.js";
import { validateChanges } from "./validateChanges.js";

/**
 * Runs a labelled corpus through the guard's layers the way the learning
 * write path does, and counts attacks stored and benign values rejected per
 * layer, overall, per category and per language.
 *
 * Layer 4 (evidence) is simulated: each value is taken as something the user
 * said, and the learner's evidence is the value's own words. A value corpus
 * therefore exercises only the quote rule's length limit; what layer 4 really
 * stops, values the user never said (planted in tool output or assistant
 * text), needs transcripts to measure.
 */

/**
 * Options of `evaluateGuard`.
 * @example
 * const report = await evaluateGuard(corpus, { model, concurrency: 2 } satisfies GuardEvalOptions);
 */
export interface GuardEvalOptions {
  /**
   * The persona schema the corpus fields belong to.
   * @default defaultPersonaSchema
   */
  schema?: z.ZodType;
  /**
   * Field policies, as the graph's `fieldPolicies`.
   * @default {}
   */
  fieldPolicies?: FieldPolicies;
  /**
   * Run layer 3 with this model; without it the semantic layer is reported as not measured.
   * @default none (model-free layers only)
   */
  model?: BaseChatModel;
  /**
   * Classify every entry with the model, not only those the model-free layers
   * let through (costs more calls; gives layer 3's figures on its own).
   * @default false
   */
  semanticAll?: boolean;
  /**
   * Model calls in flight at once.
   * @default 4
   */
  concurrency?: number;
  /**
   * Count flagged verdicts as sent to review (as with `review: true`) instead of rejected.
   * @default false
   */
  review?: boolean;
  /**
   * Called after each entry the model classified.
   * @default none
   */
  onProgress?: (done: number, total: number) => void;
}

/**
 * What happened to one entry.
 * @example
 * const missed = report.results.filter((entry: GuardEvalEntryResult) => entry.label === "attack" && entry.stoppedBy === null);
 */
export interface GuardEvalEntryResult {
  id: string;
  label: "attack" | "benign";
  field: string;
  language: string;
  category: string;
  /** Each layer's finding on its own (null: passed; undefined: not run). */
  findings: { typed: string | null; structural: string | null; evidence: string | null; semantic?: SemanticVerdict | null };
  /** The layer that stopped it in write-path order, or null when it would be stored. "error": the model call failed. */
  stoppedBy: GuardLayer | "error" | null;
  reason?: string;
  /** Flagged by the semantic layer and sent to review instead (with `review`). */
  toReview?: boolean;
}

/**
 * Stopped/total counts of one slice.
 * @example
 * const { attacks, attacksStopped }: GuardEvalFigures = report.overall;
 */
export interface GuardEvalFigures {
  attacks: number;
  /** Attacks the layer (or the pipeline) stopped. */
  attacksStopped: number;
  benign: number;
  /** Benign values the layer (or the pipeline) rejected. */
  benignRejected: number;
}

/**
 * The evaluation's report (printed by `persona guard-eval`, `--json` prints it whole).
 * @example
 * const report: GuardEvalReport = await evaluateGuard(await readGuardCorpus("corpus.jsonl", fields));
 */
export interface GuardEvalReport {
  entries: number;
  attacks: number;
  benign: number;
  /** Each layer on its own. The semantic layer is present only when it was measured. */
  layers: {
    typed: GuardEvalFigures;
    structural: GuardEvalFigures;
    evidence: GuardEvalFigures;
    semantic?: GuardEvalFigures & { classified: number; only: "passed" | "all" };
  };
  /** Model-free layers in write-path order (request/typed/evidence/structural). */
  modelFree: GuardEvalFigures & { stoppedFirstBy: Record<string, { attacks: number; benign: number }> };
  /** All layers that ran. `attacksStored` = attacks − stopped − errors − sent to review. */
  overall: GuardEvalFigures & { attacksStored: number; errors: number; toReview: number; layersMeasured: string[] };
  /** `stopped`: attacks stopped or benign values rejected, by all layers that ran. */
  byCategory: Array<{ name: string; label: string; n: number; stopped: number }>;
  byLanguage: Array<{ name: string; label: string; n: number; stopped: number }>;
  semantic: {
    measured: boolean;
    cost: SemanticGuardCost;
    labels: Record<string, number>;
  };
  /** Wall time of the model-free layers over the whole corpus, milliseconds. */
  modelFreeMs: number;
  results: GuardEvalEntryResult[];
}

function figures(results: GuardEvalEntryResult[], stopped: (result: GuardEvalEntryResult) => boolean): GuardEvalFigures {
  const attacks = results.filter((r) => r.label === "attack");
  const benign = results.filter((r) => r.label === "benign");
  return {
    attacks: attacks.length,
    attacksStopped: attacks.filter(stopped).length,
    benign: benign.length,
    benignRejected: benign.filter(stopped).length,
  };
}

function slices(results: GuardEvalEntryResult[], key: "category" | "language"): Array<{ name: string; label: string; n: number; stopped: number }> {
  const groups = new Map<string, { name: string; label: string; n: number; stopped: number }>();
  for (const result of results) {
    const id = `${result[key]}\u0000${result.label}`;
    const group = groups.get(id) ?? { name: result[key], label: result.label, n: 0, stopped: 0 };
    group.n++;
    if (result.stoppedBy !== null && result.stoppedBy !== "error" && !result.toReview) group.stopped++;
    groups.set(id, group);
  }
  return [...groups.values()].sort((a, b) => a.label.localeCompare(b.label) || a.name.localeCompare(b.name));
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Evaluates the guard on a labelled corpus.
 *
 * @param corpus Entries from `readGuardCorpus`.
 * @param options Schema, policies, and the model for layer 3.
 * @returns Figures per layer, overall, per category and language, and per entry.
 * @example
 * const report = await evaluateGuard(await readGuardCorpus("fixtures/guard/dev.jsonl", fields));
 * console.log(report.overall.attacksStored, report.overall.benignRejected);
 */
export async function evaluateGuard(corpus: GuardCorpusEntry[], options: GuardEvalOptions = {}): Promise<GuardEvalReport> {
  const fields = describePersonaFields(options.schema ?? defaultPersonaSchema);
  const byPath = new Map<string, PersonaField>(fields.map((field) => [field.path, field]));
  const started = performance.now();
  const results: GuardEvalEntryResult[] = [];
  const parsedValues = new Map<string, unknown>();
  for (const entry of corpus) {
    const field = byPath.get(entry.field);
    if (!field) throw new Error(`entry ${entry.id}: unknown field "${entry.field}"`);
    const policy = policyFor(options.fieldPolicies, field.path);
    const said = stringsIn(entry.value).join(" ") || String(entry.value);
    // Each layer on its own.
    const typed = checkTypedValue(field, entry.value, policy);
    if (typed.ok) parsedValues.set(entry.id, typed.value);
    const structural = stringsIn(entry.value).map((text) => checkStructure(text)).find((finding) => finding !== null) ?? null;
    const evidence = checkEvidence(said.trim(), normalizeForQuote(said));
    // The write path, in its order.
    const { rejected } = validateChanges([{ op: "set", field: field.path, value: entry.value, evidence: said }], {
      fields,
      policies: options.fieldPolicies,
      guards: [poisoningGuard],
      userText: said,
    });
    results.push({
      id: entry.id,
      label: entry.label,
      field: entry.field,
      language: entry.language,
      category: entry.category,
      findings: { typed: typed.ok ? null : typed.reason, structural: structural?.reason ?? null, evidence },
      stoppedBy: rejected[0] ? (rejected[0].layer ?? "guard") : null,
      ...(rejected[0] ? { reason: rejected[0].reason } : {}),
    });
  }
  const modelFreeMs = performance.now() - started;
  const modelFree = {
    ...figures(results, (r) => r.stoppedBy !== null),
    stoppedFirstBy: Object.fromEntries(
      [...new Set(results.map((r) => r.stoppedBy).filter((layer) => layer !== null))].map((layer) => [
        layer,
        {
          attacks: results.filter((r) => r.stoppedBy === layer && r.label === "attack").length,
          benign: results.filter((r) => r.stoppedBy === layer && r.label === "benign").length,
        },
      ]),
    ),
  };

  let cost = emptySemanticCost();
  const labels: Record<string, number> = {};
  let classified = 0;
  if (options.model) {
    const model = options.model;
    const todo = results.filter((r) => options.semanticAll || r.stoppedBy === null);
    let done = 0;
    await pool(todo, options.concurrency ?? 4, async (result) => {
      const entry = corpus.find((candidate) => candidate.id === result.id)!;
      const value = parsedValues.get(entry.id) ?? entry.value;
      const said = stringsIn(entry.value).join(" ") || String(entry.value);
      const classification = await classifyPersonaValues(model, [{ field: entry.field, value, evidence: said }]);
      cost = addSemanticCost(cost, classification.cost);
      classified++;
      if (classification.error !== undefined) {
        result.findings.semantic = null;
        labels.error = (labels.error ?? 0) + 1;
        if (result.stoppedBy === null) {
          result.stoppedBy = "error";
          result.reason = `semantic guard call failed: ${classification.error}`;
        }
      } else {
        const verdict = classification.verdicts[0];
        result.findings.semantic = verdict;
        labels[verdict.label] = (labels[verdict.label] ?? 0) + 1;
        if (verdict.flagged && result.stoppedBy === null) {
          result.stoppedBy = "semantic";
          result.reason = `${verdict.label}: ${verdict.reason}`;
          if (options.review) result.toReview = true;
        }
      }
      options.onProgress?.(++done, todo.length);
    });
  }

  const semanticStopped = (r: GuardEvalEntryResult) => Boolean(r.findings.semantic?.flagged);
  const classifiedResults = results.filter((r) => r.findings.semantic !== undefined && r.findings.semantic !== null);
  const overallStopped = (r: GuardEvalEntryResult) => r.stoppedBy !== null && r.stoppedBy !== "error" && !r.toReview;
  const overallFigures = figures(results, overallStopped);
  const errors = results.filter((r) => r.stoppedBy === "error");
  const toReview = results.filter((r) => r.toReview);
  return {
    entries: results.length,
    attacks: overallFigures.attacks,
    benign: overallFigures.benign,
    layers: {
      typed: figures(results, (r) => r.findings.typed !== null),
      structural: figures(results, (r) => r.findings.structural !== null),
      evidence: figures(results, (r) => r.findings.evidence !== null),
      ...(options.model
        ? { semantic: { ...figures(classifiedResults, semanticStopped), classified, only: options.semanticAll ? ("all" as const) : ("passed" as const) } }
        : {}),
    },
    modelFree,
    overall: {
      ...overallFigures,
      attacksStored:
        overallFigures.attacks -
        overallFigures.attacksStopped -
        errors.filter((r) => r.label === "attack").length -
        toReview.filter((r) => r.label === "attack").length,
      errors: errors.length,
      toReview: toReview.length,
      layersMeasured: options.model ? ["typed", "structural", "evidence", "semantic"] : ["typed", "structural", "evidence"],
    },
    byCategory: slices(results, "category"),
    byLanguage: slices(results, "language"),
    semantic: { measured: Boolean(options.model), cost, labels },
    modelFreeMs,
    results,
  };
}
