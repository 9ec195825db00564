#!/usr/bin/env node
// Store throughput, side by side with raw database writes, in one run.
//
// Usage: npm run build && node scripts/bench-store.mjs [--seconds 1] [--rounds 3] [--users 1000,10000]
//                                                      [--postgres <url> | --no-postgres] [--json]
//
// What is measured (sequential, one caller, no concurrency):
// - "CAS commit": what PersonaMemory does to write a persona version: read the user's current
//   document (store.get), then commitAtomically() two writes: the new document conditional on
//   the revision just read, and a new history entry that must not exist yet.
// - "CAS one write": what ending a session does: read one item, then commitAtomically() one
//   write conditional on the revision just read.
// - "point read": store.get of one user's current document, users picked at random.
// - raw better-sqlite3 upserts (one prepared INSERT ... ON CONFLICT DO UPDATE per write, WAL,
//   synchronous NORMAL and FULL) and raw point reads; on Postgres raw upserts and reads through
//   the same pg pool, one statement each.
// Each figure is the median of `rounds` timed windows; the windows of all figures are interleaved
// so a busy neighbour on the machine slows all of them alike. The Postgres part runs when a
// server answers at --postgres (default PERSONA_TEST_POSTGRES_URL, else
// postgres://postgres@127.0.0.1:5432/test) and says why when it is skipped.
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const DEFAULT_POSTGRES = process.env.PERSONA_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A persona document of about the size the graph stores (~1 KB of JSON). */
function personaValue(userIndex, rev) {
  return {
    userId: `user-${userIndex}`,
    version: rev,
    rev,
    updatedAt: new Date().toISOString(),
    persona: {
      Demographics: { Age: "34", Gender: "female", Nationality: "Canadian", Language: "English, French", Career: "nurse" },
      Personality: { MBTI: "INFJ", Values: "honesty, family", Interests: "hiking, classical music, gardening" },
      Pattern: { Engagement: "evenings", Usage: "asks for recipes and trip plans", Emotion: "calm" },
      Preference: { Style: "short answers with bullet points", Format: "metric units", Workflow: "one question at a time" },
    },
  };
}

function historyValue(userIndex, version) {
  return { version, parentVersion: version - 1, createdAt: new Date().toISOString(), source: "learning", sessionIds: [`s${version}`], persona: personaValue(userIndex, version).persona, changes: [], rejected: [] };
}

const versionKey = (version) => String(version).padStart(10, "0");

/**
 * Runs `op` repeatedly for `seconds`; returns operations per wall-clock second
 * and per CPU second of this process (user + system).
 */
async function rate(seconds, op) {
  const budget = seconds * 1e9;
  let count = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  let elapsed = 0;
  // Check the clock every 16 operations: cheap, and fine-grained enough at these rates.
  while (elapsed < budget) {
    for (let i = 0; i < 16; i++) await op(count++);
    elapsed = Number(process.hrtime.bigint() - start);
  }
  const cpu = process.cpuUsage(cpuStart);
  return { wall: count / (elapsed / 1e9), cpu: count / ((cpu.user + cpu.system) / 1e6) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function loadProduct() {
  const index = await import(pathToFileURL(join(root, "dist/store.js")).href);
  let postgres;
  try {
    postgres = await import(pathToFileURL(join(root, "dist/postgres.js")).href);
  } catch (error) {
    postgres = { error: error.message };
  }
  return { index, postgres };
}

/** The figures of one backend: one measuring function per figure, run interleaved. */
async function interleave(figures, rounds, seconds, log) {
  const samples = Object.fromEntries(Object.keys(figures).map((name) => [name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const [name, op] of Object.entries(figures)) {
      samples[name].push(await rate(seconds, op));
    }
    log(`  round ${round}/${rounds} done`);
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [
      name,
      { perSecond: median(values.map((v) => v.wall)), perCpuSecond: median(values.map((v) => v.cpu)), samples: values.map((v) => v.wall) },
    ]),
  );
}

/** Fills a store with `users` current documents and one history entry each. */
async function populate(store, users, namespaceOf) {
  const chunk = 1000;
  for (let start = 0; start < users; start += chunk) {
    const ops = [];
    for (let i = start; i < Math.min(users, start + chunk); i++) {
      ops.push({ namespace: namespaceOf(i), key: "current", value: personaValue(i, 1) });
      ops.push({ namespace: [...namespaceOf(i), "history"], key: versionKey(1), value: historyValue(i, 1) });
    }
    await store.batch(ops);
  }
}

/** CAS and read operations against a populated store, with the per-user revisions tracked. */
function storeOps(store, commitAtomically, users, namespaceOf) {
  const casCommit = async (n) => {
    const user = n % users;
    const namespace = namespaceOf(user);
    const item = await store.get(namespace, "current");
    const rev = item.value.rev;
    const ok = await commitAtomically(store, [
      { namespace, key: "current", value: personaValue(user, rev + 1), expectRev: rev },
      { namespace: [...namespace, "history"], key: versionKey(rev + 1), value: historyValue(user, rev + 1), expectRev: null },
    ]);
    if (!ok) throw new Error(`CAS commit of user ${user} at rev ${rev} conflicted with no other writer: the store is wrong`);
  };
  // endSession's shape: read, then one conditional write.
  const casSingle = async (n) => {
    const user = n % users;
    const namespace = [...namespaceOf(user), "sessions"];
    const item = await store.get(namespace, "s");
    const rev = item ? item.value.rev : null;
    const ok = await commitAtomically(store, [
      { namespace, key: "s", value: { status: "ended", rev: (rev ?? 0) + 1 }, expectRev: rev },
    ]);
    if (!ok) throw new Error(`single-write CAS of user ${user} conflicted with no other writer: the store is wrong`);
  };
  const pointRead = async () => {
    const user = Math.floor(Math.random() * users);
    const item = await store.get(namespaceOf(user), "current");
    if (!item) throw new Error(`user ${user} has no current document`);
  };
  return { casCommit, casSingle, pointRead };
}

async function measureSqlite({ index, users, rounds, seconds, log }) {
  const Database = (await import("better-sqlite3")).default;
  const dir = mkdtempSync(join(tmpdir(), "persona-bench-store-"));
  const opened = [];
  try {
    const figures = {};
    for (const synchronous of ["NORMAL", "FULL"]) {
      const db = new Database(join(dir, `raw-${synchronous}.db`));
      opened.push(db);
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${synchronous}`);
      db.exec("CREATE TABLE items (ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (ns, key)) WITHOUT ROWID");
      const upsert = db.prepare("INSERT INTO items (ns, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
      const get = db.prepare("SELECT value FROM items WHERE ns = ? AND key = ?");
      const rawUsers = users[users.length - 1];
      db.transaction(() => {
        for (let i = 0; i < rawUsers; i++) upsert.run(`persona/user-${i}/`, "current", JSON.stringify(personaValue(i, 1)), new Date().toISOString());
      })();
      figures[`raw upsert (synchronous=${synchronous})`] = async (n) => {
        const user = n % rawUsers;
        upsert.run(`persona/user-${user}/`, "current", JSON.stringify(personaValue(user, n)), new Date().toISOString());
      };
      if (synchronous === "NORMAL") {
        figures["raw point read"] = async () => {
          const user = Math.floor(Math.random() * rawUsers);
          JSON.parse(get.get(`persona/user-${user}/`, "current").value);
        };
      }
    }
    for (const count of users) {
      const store = new index.SqliteStore(join(dir, `store-${count}.db`));
      opened.push(store);
      const namespaceOf = (i) => ["persona", `user-${i}`];
      await populate(store, count, namespaceOf);
      const ops = storeOps(store, index.commitAtomically, count, namespaceOf);
      figures[`CAS commit, ${count} users`] = ops.casCommit;
      figures[`CAS one write, ${count} users`] = ops.casSingle;
      figures[`point read, ${count} users`] = ops.pointRead;
    }
    log(`SQLite (files in ${dir}):`);
    return await interleave(figures, rounds, seconds, log);
  } finally {
    for (const handle of opened) handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measurePostgres({ index, postgres, url, users, rounds, seconds, log }) {
  if (postgres.error) return { skipped: `the Postgres entry could not be loaded: ${postgres.error}` };
  const pg = (await import("pg")).default;
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await probe.connect();
  } catch (error) {
    return { skipped: `no Postgres at ${url}: ${error.message}` };
  } finally {
    await probe.end().catch(() => undefined);
  }
  const schema = `bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const stores = [];
  try {
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(`CREATE TABLE "${schema}".raw_items (ns TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL, value JSONB NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (ns, key))`);
    const rawUsers = users[users.length - 1];
    await pool.query(
      `INSERT INTO "${schema}".raw_items (ns, key, value) SELECT 'persona/user-' || i || '/', 'current', $1::jsonb FROM generate_series(0, $2 - 1) AS i`,
      [JSON.stringify(personaValue(0, 1)), rawUsers],
    );
    const figures = {
      "raw upsert": async (n) => {
        const user = n % rawUsers;
        await pool.query(
          `INSERT INTO "${schema}".raw_items (ns, key, value) VALUES ($1, $2, $3) ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = now()`,
          [`persona/user-${user}/`, "current", JSON.stringify(personaValue(user, n))],
        );
      },
      "raw point read": async () => {
        const user = Math.floor(Math.random() * rawUsers);
        const result = await pool.query(`SELECT value FROM "${schema}".raw_items WHERE ns = $1 AND key = $2`, [`persona/user-${user}/`, "current"]);
        if (result.rows.length !== 1) throw new Error("raw read found no row");
      },
    };
    for (const count of users) {
      const store = new postgres.PostgresStore(pool, { schema: `${schema}_${count}` });
      stores.push(store);
      const namespaceOf = (i) => ["persona", `user-${i}`];
      await populate(store, count, namespaceOf);
      const ops = storeOps(store, index.commitAtomically, count, namespaceOf);
      figures[`CAS commit, ${count} users`] = ops.casCommit;
      figures[`CAS one write, ${count} users`] = ops.casSingle;
      figures[`point read, ${count} users`] = ops.pointRead;
    }
    log(`Postgres (${url.replace(/:[^:@/]*@/, ":***@")}, schema ${schema}):`);
    return await interleave(figures, rounds, seconds, log);
  } finally {
    for (const suffix of ["", ...users.map((count) => `_${count}`)]) {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}${suffix}" CASCADE`).catch(() => undefined);
    }
    await pool.end();
  }
}

/**
 * Measures store throughput next to raw database writes (see the header of this file).
 * @param {object} [options]
 * @param {number[]} [options.users] user counts the store is filled with. @default [1000, 10000]
 * @param {number} [options.seconds] length of one timed window. @default 1
 * @param {number} [options.rounds] interleaved windows per figure; the median is reported. @default 3
 * @param {string|false} [options.postgres] Postgres URL, or false to skip Postgres.
 * @param {(line: string) => void} [options.log] progress lines. @default stderr
 * @returns {Promise<object>} `{ machine, sqlite, postgres, ratios, settings }`; each figure is
 *   `{ perSecond, perCpuSecond, samples }` (medians; samples are the wall-clock windows).
 * @example
 * const figures = await measureStoreThroughput({ seconds: 1 });
 * console.log(formatStoreThroughput(figures));
 */
export async function measureStoreThroughput(options = {}) {
  const users = options.users ?? [1000, 10000];
  const seconds = options.seconds ?? 1;
  const rounds = options.rounds ?? 3;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const url = options.postgres === undefined ? DEFAULT_POSTGRES : options.postgres;
  const { index, postgres } = await loadProduct();
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), loadAverageBefore: loadavg().map((n) => +n.toFixed(2)), node: process.version };
  const sqlite = await measureSqlite({ index, users, rounds, seconds, log });
  const pg = url === false ? { skipped: "Postgres not requested (--no-postgres)" } : await measurePostgres({ index, postgres, url, users, rounds, seconds, log });
  machine.loadAverageAfter = loadavg().map((n) => +n.toFixed(2));
  const ratios = {};
  for (const count of users) {
    ratios[`SQLite CAS ${count} users / raw NORMAL upsert`] = sqlite[`CAS commit, ${count} users`].perSecond / sqlite["raw upsert (synchronous=NORMAL)"].perSecond;
    ratios[`SQLite CAS ${count} users / raw NORMAL upsert, per CPU second`] = sqlite[`CAS commit, ${count} users`].perCpuSecond / sqlite["raw upsert (synchronous=NORMAL)"].perCpuSecond;
    if (!pg.skipped) {
      ratios[`Postgres CAS ${count} users / raw upsert`] = pg[`CAS commit, ${count} users`].perSecond / pg["raw upsert"].perSecond;
      ratios[`Postgres CAS one write ${count} users / raw upsert`] = pg[`CAS one write, ${count} users`].perSecond / pg["raw upsert"].perSecond;
    }
  }
  return { machine, settings: { users, seconds, rounds }, sqlite, postgres: pg, ratios };
}

/**
 * Renders the figures of measureStoreThroughput as aligned text.
 * @param {object} figures the result of measureStoreThroughput
 * @returns {string} a few lines per backend
 * @example
 * process.stdout.write(formatStoreThroughput(await measureStoreThroughput()));
 */
export function formatStoreThroughput(figures) {
  const lines = [];
  const { machine, settings } = figures;
  lines.push(`machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, load average ${machine.loadAverageBefore.join(" ")} before, ${machine.loadAverageAfter.join(" ")} after; node ${machine.node}`);
  lines.push(`each figure: median of ${settings.rounds} interleaved windows of ${settings.seconds} s, one sequential caller`);
  const table = (title, section, cpuColumn) => {
    lines.push("", title);
    if (section.skipped) {
      lines.push(`  skipped: ${section.skipped}`);
      return;
    }
    const width = Math.max(...Object.keys(section).map((name) => name.length));
    const count = (n) => Math.round(n).toLocaleString("en-US").padStart(9);
    for (const [name, { perSecond, perCpuSecond, samples }] of Object.entries(section)) {
      const cpu = cpuColumn ? `  ${count(perCpuSecond)} /CPU-s` : "";
      lines.push(`  ${name.padEnd(width)}  ${count(perSecond)} /s${cpu}   (windows: ${samples.map((s) => Math.round(s)).join(", ")})`);
    }
  };
  table("SQLite (per second of wall clock; per CPU second of this process, which other load disturbs less but which leaves out waiting for the disk)", figures.sqlite, true);
  table("Postgres (per second of wall clock; the server's work is in another process)", figures.postgres, false);
  lines.push("", "ratios");
  for (const [name, value] of Object.entries(figures.ratios)) lines.push(`  ${name}: ${(value * 100).toFixed(0)} %`);
  return `${lines.join("\n")}\n`;
}

function parseArgs(argv) {
  const options = {};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === "--seconds") options.seconds = Number(value());
    else if (flag === "--rounds") options.rounds = Number(value());
    else if (flag === "--users") options.users = value().split(",").map(Number);
    else if (flag === "--postgres") options.postgres = value();
    else if (flag === "--no-postgres") options.postgres = false;
    else if (flag === "--json") json = true;
    else throw new Error(`unknown flag ${flag}; usage: node scripts/bench-store.mjs [--seconds 1] [--rounds 3] [--users 1000,10000] [--postgres <url> | --no-postgres] [--json]`);
  }
  for (const [name, number] of [["--seconds", options.seconds], ["--rounds", options.rounds]]) {
    if (number !== undefined && !(number > 0)) throw new Error(`${name} must be a positive number`);
  }
  if (options.users && options.users.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--users must be a comma-separated list of positive integers");
  return { options, json };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    const { options, json } = parseArgs(process.argv.slice(2));
    const figures = await measureStoreThroughput(options);
    process.stdout.write(json ? `${JSON.stringify(figures, null, 2)}\n` : formatStoreThroughput(figures));
  } catch (error) {
    process.stderr.write(`bench-store: ${error.message}\n`);
    process.exitCode = 1;
  }
}
