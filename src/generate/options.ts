import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { DiversityIndex } from "./similarity.js";

/**
 * What invocations of one graph share when a run is split over many of them
 * (the CLI runs one persona per invocation): the personas accepted so far,
 * for the diversity check, and the seeds made so far, for new seeds to differ.
 * @example
 * const shared: SharedRun = { personas: new DiversityIndex(), seeds: [], seedLock: { tail: Promise.resolve() } };
 */
export interface SharedRun {
  personas: DiversityIndex;
  /** One line per seed made in the run (see `seedSummary`). */
  seeds: string[];
  /**
   * When set, seed generation of concurrent invocations runs one at a time,
   * so each call sees the seeds made before it. @default unset: no waiting
   */
  seedLock?: { tail: Promise<void> };
}

/**
 * Waits for the run's seed lock and takes it.
 *
 * @param lock - The shared lock (`SharedRun.seedLock`).
 * @returns A function that releases it.
 * @example
 * const release = await takeSeedLock(lock);
 * try { ... } finally { release(); }
 */
export async function takeSeedLock(lock: { tail: Promise<void> }): Promise<() => void> {
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const previous = lock.tail;
  lock.tail = previous.then(() => mine);
  await previous;
  return release;
}

/**
 * Options of `createPersonaBenchGenerator`.
 * @example
 * const graph = createPersonaBenchGenerator({ generator: model } satisfies PersonaBenchGeneratorOptions).compile();
 */
export interface PersonaBenchGeneratorOptions {
  /** Writes categories, seeds, personas, scenes, queries and repairs. */
  generator: BaseChatModel;
  /** Reviews scenes in the filter stage. @default the generator */
  checker?: BaseChatModel;
  /** Calls per structured output, the first included: an invalid reply is answered with the error, then counted. @default 3 */
  maxAttempts?: number;
  /** Shared across invocations of the graph. @default nothing shared: each invocation compares only with its input's `existingPersonas` */
  shared?: SharedRun;
}

/** Options with defaults applied. */
export interface GeneratorSettings {
  generator: BaseChatModel;
  checker: BaseChatModel;
  maxAttempts: number;
  shared?: SharedRun;
}

/**
 * @param options - Builder options.
 * @returns The settings every node reads.
 * @throws Error when no generator model is given or maxAttempts is not a positive integer.
 * @example
 * resolveGeneratorSettings({ generator: model }).maxAttempts; // 3
 */
export function resolveGeneratorSettings(options: PersonaBenchGeneratorOptions): GeneratorSettings {
  if (!options?.generator) throw new Error("personabench generator: options.generator (a chat model) is required");
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(`personabench generator: maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  return { generator: options.generator, checker: options.checker ?? options.generator, maxAttempts, shared: options.shared };
}
