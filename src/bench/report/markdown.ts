import type { BenchRole } from "../cost.js";
import type { BenchSummary, ConditionSummary, Mean } from "./summarize.js";
import { SESSION_GROUPS } from "./summarize.js";

export interface ReportContext {
  title: string;
  data: string;
  personas: number;
  scenesPerPersona: string;
  models: Record<BenchRole, { model: string; baseURL: string }>;
  judge: boolean;
  sceneToChatbot: boolean;
  charts: { turns: string; winRate?: string };
  conditionNotes: Record<string, string>;
  dataWarnings: number;
}

const fmt = (m: Mean, digits = 2) => (m.mean === null ? "–" : `${m.mean.toFixed(digits)}`);
const fmtN = (m: Mean, digits = 2) => (m.mean === null ? "–" : `${m.mean.toFixed(digits)} (n=${m.n})`);
const pct = (value: number | null | undefined) => (value === null || value === undefined ? "–" : `${(value * 100).toFixed(0)}%`);
const thousands = (n: number) => n.toLocaleString("en-US");

/** Paper Table 1 figures (gpt-4o), for orientation only. */
const PAPER: Record<string, { turns?: number; helpfulness?: number }> = {
  golden: { turns: 1.78, helpfulness: 8.34 },
  none: { turns: 2.24, helpfulness: 7.96 },
  "learning:1": { turns: 1.98 },
  "learning:3": { turns: 1.81, helpfulness: 8.29 },
  "learning:5": { turns: 2.15 },
  rag: { turns: 2.89 },
};

function mainTable(summary: BenchSummary): string[] {
  const rows = [
    "| condition | personas | scenes | turns / scene ↓ | satisfied | helpfulness (0-10) | personalization (0-10) | persona similarity (0-10) | win rate vs golden |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const c of summary.conditions) {
    rows.push(
      `| ${c.condition} | ${c.personas} | ${c.scenes} | ${fmt(c.turns)} | ${pct(c.satisfiedRate)} | ${fmt(c.helpfulness)} | ${fmt(c.personalization)} | ${
        c.similarity ? fmt(c.similarity.overall) : "–"
      } | ${c.winRate ? pct(c.winRate.overall.mean) : "–"} |`,
    );
  }
  return rows;
}

function costTable(conditions: ConditionSummary[]): string[] {
  const rows = [
    "| condition | model calls | prompt tokens | completion tokens | chatbot calls | learner calls | user calls | tool calls | judge calls | scene wall time |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const c of conditions) {
    const calls = (role: BenchRole) => thousands(c.cost[role]?.calls ?? 0);
    rows.push(
      `| ${c.condition} | ${thousands(c.cost.total.calls)} | ${thousands(c.cost.total.promptTokens)} | ${thousands(c.cost.total.completionTokens)} | ${calls("chatbot")} | ${calls("learner")} | ${calls("user")} | ${calls("tool")} | ${calls("judge")} | ${(c.wallMs / 1000).toFixed(1)} s |`,
    );
  }
  const missing = conditions.reduce(
    (sum, c) => sum + Object.values(c.cost).reduce((s, v) => s + ((v as { callsWithoutUsage?: number }).callsWithoutUsage ?? 0), 0),
    0,
  );
  if (missing) rows.push("", `${missing} model calls reported no token usage; token totals undercount them.`);
  return rows;
}

/** The Markdown report: settings, the main table, turns by scene, similarity, win rates, cost, problems. */
export function renderMarkdownReport(summary: BenchSummary, context: ReportContext): string {
  const lines: string[] = [`# ${context.title}`, ""];
  lines.push(
    `Data: \`${context.data}\` — ${context.personas} personas, scenes per persona: ${context.scenesPerPersona}. Turn cap: ${summary.turnCap}.`,
    "",
    context.sceneToChatbot
      ? "The chatbot was given each scene's description (`--chatbot-sees-scene`, as in the paper's released code)."
      : "The chatbot saw only the user's messages and its tools' results, never the scene's description.",
    "",
    "| role | model | endpoint |",
    "|---|---|---|",
    ...Object.entries(context.models).map(([role, m]) => `| ${role} | ${m.model} | ${m.baseURL} |`),
    "",
    "## Results",
    "",
    ...mainTable(summary),
    "",
    "Turns: chatbot replies until the simulated user was satisfied; a scene that hit the cap counts as the cap.",
    "Helpfulness and personalization: judge scores of the first reply of each scene.",
    "Win rate: pairwise judge, learning vs golden first replies of the same scene, judged in both orders; a tie counts half.",
  );
  if (!context.judge) lines.push("", "Judging was off for this run (`--no-judge`): score columns are empty.");

  const scenes = [...new Set(summary.conditions.flatMap((c) => Object.keys(c.turnsByScene)))].sort((a, b) => Number(a) - Number(b));
  lines.push(
    "",
    "## Turns per scene index",
    "",
    `![turns per scene](${context.charts.turns})`,
    "",
    `| condition | ${scenes.map((s) => `#${s}`).join(" | ")} |`,
    `|---|${scenes.map(() => "---:").join("|")}|`,
    ...summary.conditions.map((c) => `| ${c.condition} | ${scenes.map((s) => (c.turnsByScene[s] ? fmt(c.turnsByScene[s]) : "–")).join(" | ")} |`),
  );

  const withWins = summary.conditions.filter((c) => c.winRate);
  if (withWins.length) {
    lines.push(
      "",
      "## Win rate against golden by session group",
      "",
      ...(context.charts.winRate ? [`![win rate by session group](${context.charts.winRate})`, ""] : []),
      `| condition | ${SESSION_GROUPS.map((g) => `sessions ${g.label}`).join(" | ")} | all | unreadable verdicts |`,
      `|---|${SESSION_GROUPS.map(() => "---:").join("|")}|---:|---:|`,
      ...withWins.map(
        (c) =>
          `| ${c.condition} | ${SESSION_GROUPS.map((g) => (c.winRate!.groups[g.label] ? fmtN(c.winRate!.groups[g.label]) : "–")).join(" | ")} | ${fmtN(c.winRate!.overall)} | ${c.winRate!.malformed} |`,
      ),
      "",
      "Each cell: mean score of the condition's reply (win 1, tie 0.5, loss 0) over both presentation orders; n = judgments.",
    );
  }

  const withSimilarity = summary.conditions.filter((c) => c.similarity);
  if (withSimilarity.length) {
    const groups = [...new Set(withSimilarity.flatMap((c) => Object.keys(c.similarity!.groups)))];
    lines.push(
      "",
      "## Learned persona vs golden persona (end of episode, 0-10)",
      "",
      `| condition | ${groups.join(" | ")} | overall | unreadable verdicts |`,
      `|---|${groups.map(() => "---:").join("|")}|---:|---:|`,
      ...withSimilarity.map(
        (c) =>
          `| ${c.condition} | ${groups.map((g) => (c.similarity!.groups[g] ? fmt(c.similarity!.groups[g]) : "–")).join(" | ")} | ${fmtN(c.similarity!.overall)} | ${c.similarity!.malformed} |`,
      ),
    );
  }

  lines.push("", "## Cost", "", ...costTable(summary.conditions));

  const problems = summary.conditions.filter(
    (c) => c.userMalformed || c.judgeMalformed || c.failures.length || c.capped || c.pairwiseFailures,
  );
  lines.push("", "## Problems", "");
  if (!problems.length && !context.dataWarnings) lines.push("None.");
  for (const c of problems) {
    const parts = [
      c.capped ? `${c.capped} scenes hit the turn cap` : "",
      c.userMalformed ? `${c.userMalformed} scenes with an unreadable simulated-user decision (left out of turns)` : "",
      c.judgeMalformed ? `${c.judgeMalformed} unreadable first-reply verdicts (left out of scores)` : "",
      c.pairwiseFailures ? `${c.pairwiseFailures} pairwise judgments failed (rerun to retry)` : "",
      c.failures.length ? `${c.failures.length} episode failures: ${c.failures.map((f) => `${f.personaId} scene ${f.sceneIndex}: ${f.error}`).join("; ")}` : "",
    ].filter(Boolean);
    lines.push(`- ${c.condition}: ${parts.join("; ")}`);
  }
  if (context.dataWarnings) lines.push(`- data: ${context.dataWarnings} normalizations or left-out values, listed in data-problems.txt`);

  lines.push("", "## Conditions", "", ...Object.entries(context.conditionNotes).map(([id, note]) => `- \`${id}\`: ${note}`));
  const paperRows = summary.conditions.filter((c) => PAPER[c.condition]);
  if (paperRows.length) {
    lines.push(
      "",
      "## For orientation: the paper's Table 1 (gpt-4o, full PersonaBench; not measured here)",
      "",
      "| condition | turns / scene | helpfulness |",
      "|---|---:|---:|",
      ...paperRows.map((c) => `| ${c.condition} | ${PAPER[c.condition].turns ?? "–"} | ${PAPER[c.condition].helpfulness ?? "–"} |`),
    );
  }
  return `${lines.join("\n")}\n`;
}
