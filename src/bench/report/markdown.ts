import { BENCH_ROLES, type BenchRole } from "../cost.js";
import type { RoleModelInfo } from "../models.js";
import { protocolTable, type ProtocolName } from "../protocol.js";
import { costTable, formatDifference, formatInterval, MARK, markdownTable, modelTable, percent, thousands } from "./format.js";
import { SESSION_GROUPS, type BenchSummary, type ConditionSummary, type Figure } from "./summarize.js";

/** What the report says about the run besides the figures. */
export interface ReportContext {
  title: string;
  data: string;
  personas: number;
  scenesPerPersona: string;
  repeats: number;
  protocol: ProtocolName;
  models: Record<BenchRole, RoleModelInfo>;
  judge: boolean;
  sceneToChatbot: boolean;
  conditionNotes: Record<string, string>;
  dataWarnings: number;
  dataErrors: number;
  /** Chart file names by chart, with the reason when a chart has no data. */
  charts: Record<string, { png: string; spec: string; noData?: string }>;
  /** Set when the charts could not be rendered. */
  chartError?: string;
}

/** A figure cell: the interval, marked when its inputs had problems. */
export function figureCell(c: ConditionSummary, figure: Figure, digits = 2, asPercent = false): string {
  const value =
    figure === "similarity"
      ? c.similarity?.overall
      : figure === "winRate"
        ? c.winRate?.overall
        : c[figure];
  const text = formatInterval(value, digits, asPercent);
  return c.problems[figure] ? `${text}${MARK}` : text;
}

/** The main table's rows, shared by the report and the console. */
export function mainRows(summary: BenchSummary): string[][] {
  return summary.conditions.map((c) => [
    c.condition,
    String(c.personas),
    `${c.scenes}/${c.scenesPlanned}`,
    figureCell(c, "turns"),
    figureCell(c, "satisfied", 0, true),
    figureCell(c, "helpfulness"),
    figureCell(c, "personalization"),
    c.similarity ? figureCell(c, "similarity") : "–",
    c.winRate ? figureCell(c, "winRate", 0, true) : "–",
  ]);
}

export const MAIN_HEADER = [
  "condition",
  "personas",
  "scenes",
  "turns / scene ↓",
  "satisfied",
  "helpfulness (0-10)",
  "personalization (0-10)",
  "persona similarity (0-10)",
  "win rate vs golden",
];

/** One line per marked figure: what went wrong in its inputs. */
export function problemLines(summary: BenchSummary): string[] {
  const names: Record<Figure, string> = {
    turns: "turns",
    satisfied: "satisfied",
    helpfulness: "helpfulness",
    personalization: "personalization",
    similarity: "similarity",
    winRate: "win rate",
  };
  const lines: string[] = [];
  for (const c of summary.conditions) {
    const byNotes = new Map<string, Figure[]>();
    for (const [figure, notes] of Object.entries(c.problems) as Array<[Figure, string[]]>) {
      const key = notes.join("; ");
      byNotes.set(key, [...(byNotes.get(key) ?? []), figure]);
    }
    for (const [notes, figures] of byNotes) lines.push(`${c.condition} ${figures.map((f) => names[f]).join(", ")}${MARK}: ${notes}`);
  }
  return lines;
}

/** One line per role and condition over the threshold. */
export function breachLines(summary: BenchSummary): string[] {
  return summary.breaches.map(
    (b) =>
      `${b.condition}: ${b.role} ${b.kind === "failure" ? "failure" : "unreadable"} rate ${percent(b.rate)} (${b.count} of ${b.of} ${b.kind === "failure" ? "calls" : "replies"}) is above ${percent(summary.maxFailureRate)}`,
  );
}

function roleCell(c: ConditionSummary, role: BenchRole): string {
  const h = c.roles[role];
  if (!h.calls && !h.outcomes) return "–";
  const parts = [`${thousands(h.calls)} calls`];
  parts.push(`${h.failed} failed${h.failed ? ` (${percent(h.failureRate)})` : ""}`);
  if (h.outcomes) parts.push(`${h.unreadable} of ${thousands(h.outcomes)} unreadable${h.unreadable ? ` (${percent(h.unreadableRate)})` : ""}`);
  return parts.join(", ");
}

/** The Markdown report: settings, the main table with intervals and marks, differences, charts, learning, health, cost, problems. */
export function renderMarkdownReport(summary: BenchSummary, context: ReportContext): string {
  const lines: string[] = [`# ${context.title}`, ""];
  lines.push(
    `Data: \`${context.data}\` — ${context.personas} personas, scenes per persona: ${context.scenesPerPersona}, repeats: ${context.repeats}. ` +
      `Protocol: \`${context.protocol}\`. Turn cap: ${summary.turnCap}.`,
    "",
    context.sceneToChatbot
      ? "The chatbot was given each scene's description and API documentation (as in the paper's released code)."
      : "The chatbot saw only the user's messages and its tools' results, never the scene's description.",
    "",
    ...modelTable(BENCH_ROLES, context.models),
    "",
    "## Results",
    "",
    ...markdownTable(MAIN_HEADER, mainRows(summary)),
    "",
    `Each figure is a mean over personas (each persona's mean over its scenes and repeats) with its ${summary.bootstrap.level * 100} % bootstrap interval ` +
      `(${summary.bootstrap.resamples} resamples of the personas, seed ${summary.bootstrap.seed}); no interval with one persona. ` +
      "Scenes: recorded / planned.",
    "Turns: chatbot replies until the simulated user was satisfied; a scene that hit the cap counts as the cap. " +
      "Turns and satisfied leave out scenes whose simulated-user decision was unreadable (counted below).",
    "Helpfulness and personalization: judge scores of each scene's first reply. " +
      "Win rate: pairwise judge, learning vs golden first replies of the same scene, both orders; a tie counts half.",
  );
  if (!context.judge) lines.push("", "Judging was off for this run (`--no-judge`): score columns are empty.");
  const problems = problemLines(summary);
  if (problems.length) {
    lines.push("", `**Marked figures (${MARK})** had failed calls or unreadable replies in their inputs:`, "", ...problems.map((p) => `- ${p}`));
  }
  const breaches = breachLines(summary);
  lines.push(
    "",
    breaches.length
      ? `**Over the failure threshold (${percent(summary.maxFailureRate)}, \`--max-failure-rate\`):**`
      : `No role's failure or unreadable rate is above ${percent(summary.maxFailureRate)} (\`--max-failure-rate\`).`,
    ...(breaches.length ? ["", ...breaches.map((b) => `- ${b}`)] : []),
  );

  const withDifferences = summary.conditions.filter((c) => c.vsGolden || c.vsNone);
  if (withDifferences.length) {
    const header = ["condition", "Δ turns", "Δ satisfied", "Δ helpfulness", "Δ personalization"];
    for (const [key, name] of [
      ["vsGolden", "golden"],
      ["vsNone", "none"],
    ] as const) {
      const rows = withDifferences
        .filter((c) => c[key])
        .map((c) => [
          c.condition,
          formatDifference(c[key]!.turns),
          formatDifference(c[key]!.satisfied, 0, true),
          formatDifference(c[key]!.helpfulness),
          formatDifference(c[key]!.personalization),
        ]);
      if (rows.length) {
        lines.push("", `## Difference to ${name} (paired by persona, 95 % interval)`, "", ...markdownTable(header, rows));
      }
    }
  }

  const chart = (name: string, alt: string) => {
    const entry = context.charts[name];
    if (!entry) return context.chartError ? [`(chart not rendered: ${context.chartError})`, ""] : [];
    return [`![${alt}](${entry.png})`, "", `Vega-Lite spec: \`${entry.spec}\`${entry.noData ? ` — no data: ${entry.noData}` : ""}.`, ""];
  };

  const scenes = [...new Set(summary.conditions.flatMap((c) => Object.keys(c.turnsByScene)))].sort((a, b) => Number(a) - Number(b));
  lines.push(
    "",
    "## Turns per scene index",
    "",
    ...chart("turns-by-scene", "turns per scene"),
    ...markdownTable(
      ["condition", ...scenes.map((s) => `#${s}`)],
      summary.conditions.map((c) => [c.condition, ...scenes.map((s) => formatInterval(c.turnsByScene[s]))]),
    ),
  );

  lines.push("", "## Win rate against golden by session group", "", ...chart("win-rate-by-group", "win rate by session group"));
  const withWins = summary.conditions.filter((c) => c.winRate);
  if (withWins.length) {
    lines.push(
      ...markdownTable(
        ["condition", ...SESSION_GROUPS.map((g) => `sessions ${g.label}`), "all", "judgments", "unreadable", "failed"],
        withWins.map((c) => [
          c.condition,
          ...SESSION_GROUPS.map((g) => formatInterval(c.winRate!.groups[g.label], 0, true)),
          formatInterval(c.winRate!.overall, 0, true),
          String(c.winRate!.judgments),
          String(c.winRate!.unreadable),
          String(c.winRate!.failed),
        ]),
      ),
    );
  } else {
    lines.push("No pairwise judgments (they need golden and a learning condition in the same folder, with judging on).");
  }

  lines.push("", "## Learned persona vs golden persona (end of episode, 0-10)", "", ...chart("similarity-by-group", "similarity by field group"));
  const withSimilarity = summary.conditions.filter((c) => c.similarity);
  if (withSimilarity.length) {
    const groups = [...new Set(withSimilarity.flatMap((c) => Object.keys(c.similarity!.groups)))];
    lines.push(
      ...markdownTable(
        ["condition", ...groups, "overall", "judged", "unreadable", "no verdict"],
        withSimilarity.map((c) => [
          c.condition,
          ...groups.map((g) => formatInterval(c.similarity!.groups[g])),
          figureCell(c, "similarity"),
          String(c.similarity!.judged),
          String(c.similarity!.unreadable),
          String(c.similarity!.missing),
        ]),
      ),
      "",
      "Only verdicts a judge returned count: an episode without one (judge failed, unreadable, or episode not finished) is left out and counted.",
    );
  } else {
    lines.push("No similarity verdicts (learning conditions with judging on get one per finished episode).");
  }

  const withLearning = summary.conditions.filter((c) => c.learning);
  if (withLearning.length) {
    lines.push(
      "",
      "## Learning",
      "",
      ...markdownTable(
        ["condition", "runs", "applied", "no changes", "all rejected", "unreadable", "failed", "already learned", "changes applied", "sessions set aside"],
        withLearning.map((c) => {
          const l = c.learning!;
          return [c.condition, l.runs, l.applied, l.noChanges, l.allRejected, l.malformed, l.failed, l.alreadyLearned, l.changesApplied, l.setAside].map(String);
        }),
      ),
      "",
      "Read from each learning run's outcome (the graph state's `lastLearning`) and the persona memory's learning log. " +
        "Failed: the learner's call errored (its sessions wait for the next run). Unreadable: the learner did not call `update_persona`.",
    );
    for (const c of withLearning) {
      const reasons = Object.entries(c.learning!.rejectedByReason).sort((a, b) => b[1] - a[1]);
      if (reasons.length) lines.push("", `Rejected changes of ${c.condition}, by reason:`, "", ...reasons.map(([reason, n]) => `- ${n} × ${reason}`));
    }
  }

  lines.push(
    "",
    "## Failures and unreadable replies per role",
    "",
    ...markdownTable(["condition", ...BENCH_ROLES], summary.conditions.map((c) => [c.condition, ...BENCH_ROLES.map((role) => roleCell(c, role))])),
    "",
    "Failed: calls that ended in an error after the client's retries. Unreadable: chatbot replies with no text, simulated-user decisions and judge verdicts that could not be read after one retry, tool results with no text, learner runs without an `update_persona` call.",
  );

  lines.push("", "## Cost", "", ...chart("cost-by-condition", "cost per condition"));
  lines.push(...costTable(BENCH_ROLES, summary.conditions, "scene wall time"));
  const withoutUsage = summary.conditions.reduce((sum, c) => sum + BENCH_ROLES.reduce((s, r) => s + (c.cost[r]?.callsWithoutUsage ?? 0), 0), 0);
  if (withoutUsage) lines.push("", `${withoutUsage} model calls reported no token usage; token totals undercount them.`);

  lines.push("", "## Scenes", "");
  const sceneNotes = summary.conditions.flatMap((c) => {
    const parts = [
      c.scenesCapped ? `${c.scenesCapped} scenes hit the turn cap` : "",
      c.scenesUnreadable ? `${c.scenesUnreadable} scenes with an unreadable simulated-user decision (left out of turns and satisfied)` : "",
      c.judgeUnreadable ? `${c.judgeUnreadable} unreadable first-reply verdicts (left out of scores)` : "",
      c.scenes < c.scenesPlanned ? `${c.scenesPlanned - c.scenes} of ${c.scenesPlanned} planned scenes not recorded` : "",
      c.failures.length
        ? `${c.failures.length} episode failures: ${c.failures
            .slice(0, 5)
            .map((f) => `${f.personaId}${f.repeat && f.repeat > 1 ? ` (repeat ${f.repeat})` : ""} ${f.sceneIndex ? `scene ${f.sceneIndex}` : "end of episode"}${f.role ? ` (${f.role})` : ""}: ${f.error}`)
            .join("; ")}${c.failures.length > 5 ? "; …" : ""} (rerun to retry)`
        : "",
    ].filter(Boolean);
    return parts.length ? [`- ${c.condition}: ${parts.join("; ")}`] : [];
  });
  lines.push(...(sceneNotes.length ? sceneNotes : ["Every planned scene was recorded; none hit a problem."]));
  if (context.dataWarnings || context.dataErrors) {
    lines.push(`- data: ${context.dataErrors} unusable files, ${context.dataWarnings} normalizations or left-out values, listed in data-problems.txt`);
  }

  lines.push(
    "",
    "## Protocol",
    "",
    ...markdownTable(
      ["setting", "default", "release", "this run"],
      protocolTable().map((row) => [row.setting, row.default, row.release, context.protocol === "release" ? row.release : row.default]),
      ["---", "---", "---", "---"],
    ),
    "",
    "## Conditions",
    "",
    ...Object.entries(context.conditionNotes).map(([id, note]) => `- \`${id}\`: ${note}`),
  );
  return `${lines.join("\n")}\n`;
}
