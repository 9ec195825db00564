import { addCosts, addCounts, type CostTable } from "./cost.js";
import type { LogRecord, RunIdentity } from "./log.js";
import { outputLanguage } from "./language.js";
import { GENERATION_STAGES } from "./records.js";
import { pairwiseSimilarities, summarizeSimilarities, type SimilaritySummary } from "./similarity.js";
import type { DropRecord, FailureRecord, SimilarityRecord } from "./state.js";

/** Figures of a whole output folder, over every run logged in it. */
export interface GenerationSummary {
  asked: number;
  written: number;
  dropped: number;
  /** Slots whose last attempt failed and that are not done: a rerun tries them again. */
  failedPending: number;
  notStarted: number;
  scenes: number;
  shortPersonas: number;
  stats: Record<string, number>;
  cost: CostTable;
  drops: DropRecord[];
  failures: FailureRecord[];
  similarities: SimilarityRecord[];
  pairwise: SimilaritySummary | undefined;
  nearest: SimilaritySummary | undefined;
}

/**
 * Sums the log of an output folder.
 *
 * @param records - Every log record.
 * @param asked - Personas asked for in the latest run.
 * @param scenesAsked - Scenes per persona asked for.
 * @returns Counts, costs, drops, failures and the similarity distributions.
 * @example
 * summarizeGeneration(log.records, 10, 10).written;
 */
export function summarizeGeneration(records: LogRecord[], asked: number, scenesAsked: number): GenerationSummary {
  let stats: Record<string, number> = {};
  let cost: CostTable = {};
  const drops: DropRecord[] = [];
  const failures: FailureRecord[] = [];
  const similarities: SimilarityRecord[] = [];
  const personaBySlot = new Map<number, Extract<LogRecord, { type: "persona" }>>();
  const droppedSlots = new Set<number>();
  const failedSlots = new Set<number>();
  for (const record of records) {
    if (record.type === "run") continue;
    stats = addCounts(stats, record.stats);
    cost = addCosts(cost, record.cost);
    if (record.type === "categories") continue;
    drops.push(...record.drops);
    failures.push(...record.failures);
    similarities.push(...record.similarities);
    if (record.type === "persona" && !personaBySlot.has(record.slot)) personaBySlot.set(record.slot, record);
    if (record.type === "dropped") droppedSlots.add(record.slot);
    if (record.type === "failed") failedSlots.add(record.slot);
  }
  const personas = [...personaBySlot.values()];
  const done = new Set([...personaBySlot.keys(), ...droppedSlots]);
  const failedPending = [...failedSlots].filter((slot) => !done.has(slot)).length;
  const accepted = similarities.filter((record) => record.accepted && record.nearest !== null).map((record) => record.similarity);
  return {
    asked,
    written: personas.length,
    dropped: [...droppedSlots].filter((slot) => !personaBySlot.has(slot)).length,
    failedPending,
    notStarted: Math.max(0, asked - done.size - failedPending),
    scenes: personas.reduce((sum, record) => sum + record.data.scenes.length, 0),
    shortPersonas: personas.filter((record) => record.data.scenes.length < scenesAsked).length,
    stats,
    cost,
    drops,
    failures,
    similarities,
    pairwise: summarizeSimilarities(pairwiseSimilarities(personas.map((record) => record.personaText))),
    nearest: summarizeSimilarities(accepted),
  };
}

const f2 = (value: number) => value.toFixed(2);

function distribution(title: string, summary: SimilaritySummary | undefined): string[] {
  if (!summary) return [`${title}: none (fewer than two personas).`, ""];
  const bins = summary.histogram.map((count, i) => `| ${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)} | ${count} |`);
  return [
    `${title} (${summary.count} values): min ${f2(summary.min)}, p10 ${f2(summary.p10)}, median ${f2(summary.median)}, mean ${f2(summary.mean)}, p90 ${f2(summary.p90)}, max ${f2(summary.max)}.`,
    "",
    "| similarity | count |",
    "| --- | --- |",
    ...bins,
    "",
  ];
}

export interface ReportContext {
  identity: RunIdentity;
  outDir: string;
  /** Problems `loadPersonaBench` reports on the folder (formatted lines). */
  loaderProblems: string[];
  loaderPersonas: number;
  interrupted: boolean;
}

/**
 * The markdown of `generation-report.md`.
 *
 * @param summary - From `summarizeGeneration`.
 * @param context - Source, settings, models and the loader check.
 * @returns The report.
 * @example
 * writeFileSync("generation-report.md", renderGenerationReport(summary, context));
 */
export function renderGenerationReport(summary: GenerationSummary, context: ReportContext): string {
  const { identity } = context;
  const lines: string[] = ["# PersonaBench generation report", ""];
  const source =
    identity.source.kind === "seeds"
      ? `seed file ${identity.source.file} (${identity.source.seeds} seeds)`
      : `population "${identity.source.text}"`;
  lines.push(
    `- Source: ${source}`,
    `- Language: ${identity.language} (${outputLanguage(identity.language).name}); scenes per persona: ${identity.scenes}`,
    `- Near-duplicate limits (character-trigram cosine): persona ${identity.maxPersonaSimilarity}, scene ${identity.maxSceneSimilarity}`,
    `- Output: ${context.outDir}`,
    `- Loader check (loadPersonaBench): ${context.loaderPersonas} personas loaded, ${context.loaderProblems.length} problems`,
    ...(context.interrupted ? ["- **Interrupted**: rerun the same command to continue."] : []),
    "",
    "| role | model | endpoint |",
    "| --- | --- | --- |",
    ...Object.entries(identity.models).map(([role, m]) => `| ${role} | ${m.model} | ${m.baseURL} |`),
    "",
  );
  if (context.loaderProblems.length) lines.push("Loader problems:", "", ...context.loaderProblems.map((line) => `- ${line}`), "");

  lines.push(
    "## Personas",
    "",
    "| asked | written | dropped | failed (rerun to retry) | not started |",
    "| --- | --- | --- | --- | --- |",
    `| ${summary.asked} | ${summary.written} | ${summary.dropped} | ${summary.failedPending} | ${summary.notStarted} |`,
    "",
    `${summary.scenes} scenes written (${summary.written ? (summary.scenes / summary.written).toFixed(1) : "0"} per persona); ${summary.shortPersonas} personas have fewer than ${identity.scenes} scenes.`,
    "",
    "## Counts per stage",
    "",
    "| stage | counter | count |",
    "| --- | --- | --- |",
  );
  const keys = Object.keys(summary.stats).sort((a, b) => {
    const stage = (key: string) => GENERATION_STAGES.indexOf(key.split(".")[0] as (typeof GENERATION_STAGES)[number]);
    return stage(a) - stage(b) || a.localeCompare(b);
  });
  for (const key of keys) {
    const [stage, ...rest] = key.split(".");
    lines.push(`| ${stage} | ${rest.join(".")} | ${summary.stats[key]} |`);
  }

  lines.push("", "## Drops by reason", "");
  if (summary.drops.length === 0) lines.push("Nothing was dropped.", "");
  else {
    const byReason = new Map<string, number>();
    for (const drop of summary.drops) byReason.set(`${drop.stage} | ${drop.reason}`, (byReason.get(`${drop.stage} | ${drop.reason}`) ?? 0) + 1);
    lines.push("| stage | reason | count |", "| --- | --- | --- |", ...[...byReason].map(([key, count]) => `| ${key} | ${count} |`), "");
    lines.push("| slot | persona | stage | scene | reason | detail |", "| --- | --- | --- | --- | --- | --- |");
    const cell = (text: string | number | null) => String(text ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
    for (const drop of summary.drops.slice(0, 200)) {
      lines.push(`| ${drop.slot + 1} | ${cell(drop.persona)} | ${drop.stage} | ${cell(drop.scene === null ? "" : `#${drop.scene} ${drop.sceneType}`)} | ${drop.reason} | ${cell(drop.detail)} |`);
    }
    if (summary.drops.length > 200) lines.push("", `(${summary.drops.length - 200} more in generation-log.jsonl)`);
    lines.push("");
  }

  const regenerated = summary.similarities.filter((record) => !record.accepted).length;
  lines.push(
    "## Diversity",
    "",
    "Lexical similarity of personas: cosine of character-trigram counts over every persona value except the name (0: nothing shared, 1: the same text).",
    `${regenerated} candidates were at or above the persona limit ${identity.maxPersonaSimilarity} and regenerated or dropped.`,
    "",
    ...distribution("Pairwise similarity of the written personas", summary.pairwise),
    ...distribution("Each accepted persona's similarity to the nearest persona before it", summary.nearest),
  );

  lines.push("## Cost", "", "| role | stage | calls | prompt tokens | completion tokens | calls without usage |", "| --- | --- | --- | --- | --- | --- |");
  const total = { calls: 0, promptTokens: 0, completionTokens: 0, callsWithoutUsage: 0 };
  for (const [key, cost] of Object.entries(summary.cost).sort(([a], [b]) => a.localeCompare(b))) {
    const [role, stage] = key.split("/");
    lines.push(`| ${role} | ${stage} | ${cost.calls} | ${cost.promptTokens} | ${cost.completionTokens} | ${cost.callsWithoutUsage} |`);
    total.calls += cost.calls;
    total.promptTokens += cost.promptTokens;
    total.completionTokens += cost.completionTokens;
    total.callsWithoutUsage += cost.callsWithoutUsage;
  }
  lines.push(`| all | all | ${total.calls} | ${total.promptTokens} | ${total.completionTokens} | ${total.callsWithoutUsage} |`, "");
  if (total.callsWithoutUsage) lines.push(`${total.callsWithoutUsage} replies carried no token usage: token totals undercount.`, "");

  lines.push("## Failures", "");
  if (summary.failures.length === 0) lines.push("No model call failed and every structured output was valid within its retries.", "");
  else {
    const invalid = summary.stats;
    const invalidReplies = Object.entries(invalid).filter(([key]) => key.endsWith(".invalid_replies")).reduce((sum, [, n]) => sum + n, 0);
    lines.push(`${summary.failures.length} failures (${invalidReplies} invalid replies in all, most of them fixed by a retry):`, "");
    lines.push("| slot | stage | kind | message |", "| --- | --- | --- | --- |");
    for (const failure of summary.failures.slice(0, 100)) {
      lines.push(`| ${failure.slot === null ? "" : failure.slot + 1} | ${failure.stage} | ${failure.kind} | ${failure.message.replace(/\|/g, "\\|")} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
