import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { MemorySaver } from "@langchain/langgraph";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type Database from "better-sqlite3";
import { postgresError, sqliteError } from "./errors.js";
import { assertSchemaName, describePool } from "./postgresUrl.js";

/**
 * What one pruneThread call deleted.
 *
 * @example
 * const { checkpoints, writes } = await pruner.pruneThread("thread-1");
 */
export interface PruneResult {
  /** Superseded checkpoints deleted. */
  checkpoints: number;
  /** Pending writes of those checkpoints deleted. */
  writes: number;
  /** Channel values no kept checkpoint refers to (Postgres keeps them in their own table; 0 elsewhere). */
  blobs: number;
  /**
   * Set when nothing was deleted on purpose, saying why: the latest checkpoint
   * still needs its ancestors (a DeltaChannel without a snapshot, or a
   * checkpoint format older than 4).
   */
  skipped?: string;
}

/**
 * Deletes checkpoint data of one thread. The primitives of a retention policy.
 *
 * @example
 * const pruner = checkpointPrunerFor(persistence.checkpointer);
 * if (pruner) await pruner.pruneThread(threadId);
 */
export interface CheckpointPruner {
  /**
   * Deletes every checkpoint and pending write of the thread except, in each
   * checkpoint namespace, the latest checkpoint and its pending writes, so the
   * thread resumes and `getState` works as before; `getStateHistory` then
   * lists only the kept checkpoints. The kept checkpoint's parent id points at
   * a deleted checkpoint; LangGraph reads it only to build `parentConfig`.
   * Safe to call again; a run writing to the thread at the same time keeps
   * its new checkpoints.
   *
   * @param threadId the thread
   * @returns how many rows were deleted
   */
  pruneThread(threadId: string): Promise<PruneResult>;
  /**
   * Deletes every checkpoint, pending write and channel value of the thread.
   *
   * @param threadId the thread
   * @returns when deleted
   */
  deleteThread(threadId: string): Promise<void>;
}

/** LangGraph's metadata entry for DeltaChannels that have not been snapshotted at a checkpoint. */
const DELTA_COUNTERS = "counters_since_delta_snapshot";
/** Checkpoints before format 4 read pending sends from their parent's writes. */
const MIN_CHECKPOINT_VERSION = 4;

interface LatestCheckpoint {
  /** The metadata lists DeltaChannels not snapshotted at this checkpoint. */
  delta: boolean;
  /** The checkpoint format version, when readable. */
  version: number | null;
  /** The metadata could be read (SQLite: stored as JSON). */
  readable: boolean;
}

/** Why the latest checkpoints cannot stand alone, or undefined when they can. */
function skippedBecause(latest: LatestCheckpoint[]): string | undefined {
  if (latest.some((row) => !row.readable)) return "the latest checkpoint's metadata is not stored as JSON, so it cannot be checked";
  if (latest.some((row) => row.delta)) return "the latest checkpoint has DeltaChannel values that are rebuilt from its ancestors";
  if (latest.some((row) => row.version === null || row.version < MIN_CHECKPOINT_VERSION)) {
    return `the latest checkpoint has format < ${MIN_CHECKPOINT_VERSION}, which reads pending sends from its parent`;
  }
  return undefined;
}

function hasDeltaCounters(metadata: unknown): boolean {
  const counters = (metadata as Record<string, unknown> | undefined)?.[DELTA_COUNTERS];
  return typeof counters === "object" && counters !== null && Object.keys(counters).length > 0;
}

class SqlitePruner implements CheckpointPruner {
  constructor(private readonly saver: SqliteSaver) {}

  private get db(): Database.Database {
    return this.saver.db;
  }

  async pruneThread(threadId: string): Promise<PruneResult> {
    try {
      return this.prune(threadId);
    } catch (error) {
      throw sqliteError(this.db.name, "prune checkpoints in", error);
    }
  }

  private prune(threadId: string): PruneResult {
    (this.saver as unknown as { setup(): void }).setup();
    return this.db
      .transaction((): PruneResult => {
        const latest = this.db
          .prepare(
            `SELECT c.checkpoint_ns AS ns, c.checkpoint_id AS id, c.type AS type,
                    json_extract(CAST(c.checkpoint AS TEXT), '$.v') AS v,
                    json_extract(CAST(c.metadata AS TEXT), '$.${DELTA_COUNTERS}') AS delta
               FROM checkpoints c
               JOIN (SELECT checkpoint_ns, max(checkpoint_id) AS id FROM checkpoints WHERE thread_id = ? GROUP BY checkpoint_ns) m
                 ON c.checkpoint_ns = m.checkpoint_ns AND c.checkpoint_id = m.id
              WHERE c.thread_id = ?`,
          )
          .all(threadId, threadId) as Array<{ ns: string; id: string; type: string | null; v: number | null; delta: string | null }>;
        const skipped = skippedBecause(
          latest.map((row) => ({
            readable: row.type === "json",
            delta: row.delta !== null && row.delta !== "{}",
            version: row.v,
          })),
        );
        if (skipped) return { checkpoints: 0, writes: 0, blobs: 0, skipped };
        let checkpoints = 0;
        let writes = 0;
        const deleteWrites = this.db.prepare(
          "DELETE FROM writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ?",
        );
        const deleteCheckpoints = this.db.prepare(
          "DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ?",
        );
        for (const row of latest) {
          writes += deleteWrites.run(threadId, row.ns, row.id).changes;
          checkpoints += deleteCheckpoints.run(threadId, row.ns, row.id).changes;
        }
        return { checkpoints, writes, blobs: 0 };
      })
      .immediate();
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.saver.deleteThread(threadId);
  }
}

interface PostgresSaverInternals {
  pool: { connect(): Promise<PgClient> };
  options: { schema: string };
}

interface PgClient {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
  release(): void;
}

class PostgresPruner implements CheckpointPruner {
  private readonly tables: { checkpoints: string; blobs: string; writes: string };

  constructor(
    private readonly saver: BaseCheckpointSaver,
    private readonly internals: PostgresSaverInternals,
  ) {
    const schema = `"${assertSchemaName(internals.options.schema)}"`;
    this.tables = {
      checkpoints: `${schema}.checkpoints`,
      blobs: `${schema}.checkpoint_blobs`,
      writes: `${schema}.checkpoint_writes`,
    };
  }

  async pruneThread(threadId: string): Promise<PruneResult> {
    const { checkpoints: cp, blobs: bl, writes: wr } = this.tables;
    let client: PgClient;
    try {
      client = await this.internals.pool.connect();
    } catch (error) {
      throw postgresError(describePool(this.internals.pool), "connect to", error);
    }
    try {
      await client.query("BEGIN");
      const latest = await client.query<{ ns: string; id: string; v: number | null; delta: boolean }>(
        `SELECT DISTINCT ON (checkpoint_ns) checkpoint_ns AS ns, checkpoint_id AS id,
                (checkpoint ->> 'v')::int AS v,
                coalesce(metadata -> '${DELTA_COUNTERS}' NOT IN ('{}'::jsonb, 'null'::jsonb), false) AS delta
           FROM ${cp} WHERE thread_id = $1 ORDER BY checkpoint_ns, checkpoint_id DESC`,
        [threadId],
      );
      const skipped = skippedBecause(latest.rows.map((row) => ({ readable: true, delta: row.delta, version: row.v })));
      if (skipped || latest.rows.length === 0) {
        await client.query("COMMIT");
        return { checkpoints: 0, writes: 0, blobs: 0, ...(skipped ? { skipped } : {}) };
      }
      const keep = [threadId, latest.rows.map((row) => row.ns), latest.rows.map((row) => row.id)];
      const olderThanKept = `USING unnest($2::text[], $3::text[]) AS keep(ns, id)
        WHERE t.thread_id = $1 AND t.checkpoint_ns = keep.ns AND t.checkpoint_id < keep.id`;
      const writes = await client.query(`DELETE FROM ${wr} t ${olderThanKept}`, keep);
      const checkpoints = await client.query(`DELETE FROM ${cp} t ${olderThanKept}`, keep);
      // A channel value stays while any remaining checkpoint of the thread refers to its version.
      const blobs = await client.query(
        `DELETE FROM ${bl} b
          WHERE b.thread_id = $1
            AND NOT EXISTS (
              SELECT 1 FROM ${cp} c, jsonb_each_text(c.checkpoint -> 'channel_versions') v
               WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = b.checkpoint_ns
                 AND v.key = b.channel AND v.value = b.version)`,
        [threadId],
      );
      await client.query("COMMIT");
      return { checkpoints: checkpoints.rowCount ?? 0, writes: writes.rowCount ?? 0, blobs: blobs.rowCount ?? 0 };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw postgresError(describePool(this.internals.pool), "prune checkpoints in", error);
    } finally {
      client.release();
    }
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.saver.deleteThread(threadId);
  }
}

type MemoryStorage = MemorySaver["storage"];

class MemoryPruner implements CheckpointPruner {
  constructor(private readonly saver: MemorySaver) {}

  async pruneThread(threadId: string): Promise<PruneResult> {
    const thread: MemoryStorage[string] | undefined = this.saver.storage[threadId];
    if (!thread) return { checkpoints: 0, writes: 0, blobs: 0 };
    const keep = new Map<string, string>();
    const latest: LatestCheckpoint[] = [];
    for (const [ns, checkpoints] of Object.entries(thread)) {
      const ids = Object.keys(checkpoints).sort();
      const latestId = ids[ids.length - 1];
      if (latestId === undefined) continue;
      keep.set(ns, latestId);
      const [checkpoint, metadata] = checkpoints[latestId]!;
      const parsedCheckpoint = (await this.saver.serde.loadsTyped("json", checkpoint)) as { v?: number };
      latest.push({
        readable: true,
        version: typeof parsedCheckpoint.v === "number" ? parsedCheckpoint.v : null,
        delta: hasDeltaCounters(await this.saver.serde.loadsTyped("json", metadata)),
      });
    }
    const skipped = skippedBecause(latest);
    if (skipped) return { checkpoints: 0, writes: 0, blobs: 0, skipped };
    let checkpoints = 0;
    for (const [ns, latestId] of keep) {
      for (const id of Object.keys(thread[ns]!)) {
        if (id < latestId) {
          delete thread[ns]![id];
          checkpoints++;
        }
      }
    }
    let writes = 0;
    for (const key of Object.keys(this.saver.writes)) {
      const [thread_, ns, id] = JSON.parse(key) as [string, string, string];
      const latestId = keep.get(ns);
      if (thread_ === threadId && latestId !== undefined && id < latestId) {
        writes += Object.keys(this.saver.writes[key]!).length;
        delete this.saver.writes[key];
      }
    }
    return { checkpoints, writes, blobs: 0 };
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.saver.deleteThread(threadId);
  }
}

function postgresInternals(checkpointer: BaseCheckpointSaver): PostgresSaverInternals | undefined {
  // PostgresSaver keeps its pool and schema in fields its types mark private;
  // read them at run time and accept only the shape of the pinned version.
  if (checkpointer.constructor.name !== "PostgresSaver" && !hasPostgresSaverAncestor(checkpointer)) return undefined;
  const candidate = checkpointer as unknown as Partial<PostgresSaverInternals>;
  if (typeof candidate.pool?.connect !== "function" || typeof candidate.options?.schema !== "string") return undefined;
  return candidate as PostgresSaverInternals;
}

function hasPostgresSaverAncestor(value: object): boolean {
  for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === "PostgresSaver") return true;
  }
  return false;
}

/**
 * The pruner for a LangGraph checkpointer: SqliteSaver, PostgresSaver (from
 * @langchain/langgraph-checkpoint-postgres, found without importing it) and
 * MemorySaver, including subclasses. Undefined for any other saver.
 *
 * @param checkpointer the graph's checkpointer
 * @returns a pruner, or undefined when this saver is not supported
 * @example
 * const pruner = checkpointPrunerFor(persistence.checkpointer);
 * const result = await pruner?.pruneThread("thread-1"); // { checkpoints: 8, writes: 14, blobs: 0 }
 */
export function checkpointPrunerFor(checkpointer: BaseCheckpointSaver | undefined): CheckpointPruner | undefined {
  if (!checkpointer) return undefined;
  if (checkpointer instanceof SqliteSaver) return new SqlitePruner(checkpointer);
  if (checkpointer instanceof MemorySaver) return new MemoryPruner(checkpointer);
  const postgres = postgresInternals(checkpointer);
  if (postgres) return new PostgresPruner(checkpointer, postgres);
  return undefined;
}
