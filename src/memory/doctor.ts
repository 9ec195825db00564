import { describeRecordProblem, type PersonaMemory, type RecordProblem } from "./personaMemory.js";
import { diffPersonas } from "./diff.js";
import { CURRENT_KEY, LEDGER_KEY, personaNamespace, sameNamespace } from "./namespaces.js";

/** What `repairPersonaMemory` did for each problem found. */
export interface RepairReport {
  /** Problems found before the repair, one line each. */
  found: string[];
  /** What was done, one line each. */
  actions: string[];
}

function isRow(problem: RecordProblem, namespace: string[], key: string): boolean {
  return sameNamespace(problem.namespace, namespace) && problem.key === key;
}

/**
 * Lists every stored row of a user that does not fit its schema.
 * @param memory the user's memory
 * @returns the problems, one line each (empty when all rows are sound)
 * @example for (const line of await diagnosePersonaMemory(memory)) console.log(line);
 */
export async function diagnosePersonaMemory(memory: PersonaMemory): Promise<string[]> {
  return (await memory.inspect()).map(describeRecordProblem);
}

/**
 * Repairs a user's memory: rows that do not fit their schema are moved to the
 * user's quarantine (kept for inspection, never used); persona fields that do
 * not fit the schema are dropped in a new version; an unusable current persona
 * is replaced by the newest readable version of the history; an unusable
 * session ledger is rebuilt from the transcripts.
 *
 * @param memory the user's memory
 * @returns what was found and what was done
 * @example const { actions } = await repairPersonaMemory(new PersonaMemory(store, "alice"));
 */
export async function repairPersonaMemory(memory: PersonaMemory): Promise<RepairReport> {
  const problems = await memory.inspect();
  const actions: string[] = [];
  const personaNs = personaNamespace(memory.userId);
  const documentProblems = problems.filter((p) => isRow(p, personaNs, CURRENT_KEY));
  const rowLevel = documentProblems.filter((p) => p.field === undefined);
  for (const problem of problems) {
    if (isRow(problem, personaNs, CURRENT_KEY) || isRow(problem, personaNs, LEDGER_KEY)) continue;
    await memory.quarantineRow(problem);
    actions.push(`quarantined ${describeRecordProblem(problem)}`);
  }
  if (problems.some((p) => isRow(p, personaNs, LEDGER_KEY))) {
    const sessions = await memory.rebuildLedger();
    actions.push(`rebuilt the session ledger from the transcripts: ${sessions.length} session(s) waiting to be learned`);
  }
  if (rowLevel.length > 0) {
    const restored = (await memory.history()).at(-1);
    if (!restored || Object.keys(restored.persona).length === 0) {
      await memory.quarantineRow(rowLevel[0]!);
      actions.push(`quarantined ${describeRecordProblem(rowLevel[0]!)}; the persona starts empty`);
      return { found: problems.map(describeRecordProblem), actions };
    }
    await memory.commitVersion({
      source: "manual",
      note: `persona doctor: the current row was unusable (${rowLevel[0]!.reason})`,
      build: (current) => ({
        persona: restored.persona,
        changes: diffPersonas(current.persona, restored.persona).map((d) => ({
          op: d.to === undefined ? ("clear" as const) : ("set" as const),
          field: d.field,
          ...(d.to !== undefined ? { value: d.to } : {}),
          evidence: "persona doctor",
        })),
        rejected: [],
      }),
    });
    actions.push(`moved the unusable current persona to quarantine and restored version ${restored.version}`);
  } else if (documentProblems.length > 0) {
    // Field-level problems: the loaded persona already leaves them out; store that as a new version.
    const result = await memory.commitVersion({
      source: "manual",
      note: "persona doctor: dropped values that do not fit the schema",
      build: (current) => ({
        persona: current.persona,
        changes: documentProblems.map((p) => ({ op: "clear" as const, field: p.field!, evidence: "persona doctor" })),
        rejected: [],
      }),
    });
    actions.push(`dropped ${documentProblems.length} field value(s) that do not fit the schema (version ${result.document.version})`);
  }
  return { found: problems.map(describeRecordProblem), actions };
}
