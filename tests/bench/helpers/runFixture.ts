import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  parseConditions,
  DEFAULT_EPISODE_SETTINGS,
  type EpisodeSettings,
  runBench,
  type BenchRunOptions,
  type BenchRole,
} from "../../../src/bench.js";
import { MODEL_INFO, scriptedFactory, type RoleScript } from "./roleModels.js";

export const FIXTURE = join(__dirname, "../../../fixtures/personabench-mini");

/** A writable that keeps what was written (progress output). */
export function textSink(onWrite?: (text: string) => void) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      const text = String(chunk);
      chunks.push(text);
      onWrite?.(text);
      callback();
    },
  });
  return { stream, text: () => chunks.join("") };
}

export function tempOut(prefix = "bench-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface FixtureRun {
  conditions: string;
  out?: string;
  scripts?: Partial<Record<BenchRole, RoleScript>>;
  settings?: Partial<EpisodeSettings>;
  extra?: Partial<BenchRunOptions>;
  onProgress?: (text: string) => void;
}

/** Runs the benchmark on the shipped fixture with scripted models for every role. */
export async function runFixture(run: FixtureRun) {
  const { factory, calls } = scriptedFactory(run.scripts);
  const progress = textSink(run.onProgress);
  const out = run.out ?? tempOut();
  const result = await runBench({
    data: FIXTURE,
    out,
    conditions: parseConditions(run.conditions),
    settings: { ...DEFAULT_EPISODE_SETTINGS, ...run.settings },
    models: factory,
    modelInfo: MODEL_INFO,
    progress: progress.stream,
    ...run.extra,
  });
  return { result, calls, out, progress: progress.text() };
}
