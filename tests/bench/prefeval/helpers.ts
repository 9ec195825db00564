import { join } from "node:path";
import type { BenchRole } from "../../../src/bench.js";
import { parsePrefEvalConditions } from "../../../src/bench/prefeval/conditions.js";
import { runPrefEval, type PrefEvalRunOptions } from "../../../src/bench/prefeval/runPrefEval.js";
import { messageText } from "../../../src/render.js";
import { MODEL_INFO, scriptedFactory, type RoleCall, type RoleScript } from "../helpers/roleModels.js";
import { tempOut, textSink } from "../helpers/runFixture.js";

/** The suite's own small fixture (invented items; no PrefEval data). */
export const FIXTURE = join(__dirname, "fixtures/prefeval-mini");

/**
 * The shared development slice of PrefEval (CC BY-NC, never copied into the
 * repository): `../shared/prefeval` from the repository root, or PREFEVAL_DATA.
 */
export const SHARED_SLICE = process.env.PREFEVAL_DATA ?? join(__dirname, "../../../../shared/prefeval");

export interface PrefEvalFixtureRun {
  conditions?: string;
  out?: string;
  data?: string;
  scripts?: Partial<Record<BenchRole, RoleScript>>;
  options?: Partial<PrefEvalRunOptions>;
}

/** Runs the PrefEval suite on the test fixture with scripted models for every role (default: the mock handler in process). */
export async function runPrefEvalFixture(run: PrefEvalFixtureRun = {}) {
  const { factory, calls } = scriptedFactory(run.scripts);
  const progress = textSink();
  const out = run.out ?? tempOut("prefeval-");
  const result = await runPrefEval({
    data: run.data ?? FIXTURE,
    out,
    conditions: parsePrefEvalConditions(run.conditions ?? "none,persona,in-context,reminder,golden"),
    semanticGuard: false,
    models: factory,
    modelInfo: { chatbot: MODEL_INFO.chatbot, learner: MODEL_INFO.learner, judge: MODEL_INFO.judge },
    progress: progress.stream,
    ...run.options,
  });
  return { result, calls, out, progress: progress.text() };
}

/** The first message's text of a recorded call. */
export const firstText = (call: RoleCall) => messageText(call.messages[0]);

/** Which PrefEval judge check a judge call is. */
export function checkOf(call: RoleCall): string {
  const text = firstText(call);
  if (text.includes("stored user profile")) return "stored";
  if (text.includes("whether it goes against")) return "violates";
  if (text.includes("whether it refers to a preference")) return "acknowledges";
  if (text.includes("whether the preference it attributes")) return "hallucinates";
  if (text.includes("whether it actually answers")) return "helpful";
  return "other";
}
