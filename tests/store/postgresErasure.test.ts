import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import pg from "pg";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { openPostgresPersistence, type PostgresPersistence } from "../../src/postgres.js";
import { checkpointPrunerFor } from "../../src/store.js";
import { describeWithPostgres, freshSchema, POSTGRES_TEST_URL } from "./postgresTestServer.js";

const ERIN = `erin-canary-${randomBytes(4).toString("hex")}`;
const OLAF = `olaf-canary-${randomBytes(4).toString("hex")}`;

/** Occurrences of `canary` as text and as the hex pg_dump writes for bytea. */
function occurrences(haystack: Buffer, canary: string): number {
  let count = 0;
  for (const needle of [Buffer.from(canary, "utf8"), Buffer.from(Buffer.from(canary, "utf8").toString("hex"), "utf8")]) {
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) count++;
  }
  return count;
}

const pgDump = spawnSync("pg_dump", ["--version"], { encoding: "utf8" });
const hasPgDump = pgDump.status === 0;

function dumpSchema(schema: string): Buffer {
  const url = new URL(POSTGRES_TEST_URL);
  const result = spawnSync("pg_dump", ["--dbname", POSTGRES_TEST_URL, "--schema", schema, "--no-owner"], {
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PGCONNECT_TIMEOUT: "10" },
  });
  if (result.status !== 0) throw new Error(`pg_dump of ${schema} on ${url.host} failed: ${result.stderr.toString()}`);
  return result.stdout;
}

/**
 * Whether this process can read the server's data directory and run
 * CHECKPOINT (a local server, tests as root or postgres): asked in a child
 * process, so the answer is known when the tests are declared.
 */
function probeDataDirectory(): string | null {
  const script = `const {Client}=require("pg");const fs=require("fs");const c=new Client({connectionString:process.argv[1],connectionTimeoutMillis:3000});
  c.connect().then(async()=>{const d=(await c.query("SHOW data_directory")).rows[0].data_directory;await c.query("CHECKPOINT");
  fs.readdirSync(d+"/base");await c.end();process.exit(0)}).catch((e)=>{console.error(e.message);process.exit(1)})`;
  const result = spawnSync(process.execPath, ["-e", script, POSTGRES_TEST_URL], { encoding: "utf8", timeout: 30000 });
  return result.status === 0 ? null : result.stderr.trim() || "no answer";
}
const dataDirectoryProblem = probeDataDirectory();
if (dataDirectoryProblem) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the relation-file erasure check: ${dataDirectoryProblem} (it needs a local server whose data directory this user can read, and CHECKPOINT rights).`);
}

const State = Annotation.Root({ said: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });

/** Writes the canary into the store (small value and a TOASTed one) and into a thread's checkpoints. */
async function writeUser(persistence: PostgresPersistence, user: string, canary: string): Promise<void> {
  const filler = randomBytes(6000).toString("hex"); // 12 KB that compresses badly: stored out of line, uncompressed
  await persistence.store.put(["persona", user], "current", { rev: 1, persona: { Name: canary } });
  await persistence.store.put(["persona", user, "transcripts"], "s1", { turns: [{ text: `${filler.slice(0, 6000)} ${canary} ${filler.slice(6000)}` }] });
  const graph = new StateGraph(State)
    .addNode("echo", (state) => ({ said: [`you said ${state.said.at(-1)}`] }))
    .addEdge(START, "echo")
    .addEdge("echo", END)
    .compile({ checkpointer: persistence.checkpointer });
  for (let i = 0; i < 3; i++) await graph.invoke({ said: [`${canary} turn ${i}`] }, { configurable: { thread_id: `thread-${user}` } });
}

/** Deletes every store row under ["persona", user] and the user's thread. */
async function eraseUser(persistence: PostgresPersistence, user: string): Promise<void> {
  const items = await persistence.store.search(["persona", user], { limit: 1000 });
  await persistence.store.batch(items.map((item) => ({ namespace: item.namespace, key: item.key, value: null })));
  await checkpointPrunerFor(persistence.checkpointer)!.deleteThread(`thread-${user}`);
}

/** Every file of every relation in the schema (tables, TOAST tables, indexes), with its segments. */
async function relationFiles(pool: pg.Pool, schema: string): Promise<string[]> {
  const dataDirectory = (await pool.query<{ data_directory: string }>("SHOW data_directory")).rows[0]!.data_directory;
  const relations = await pool.query<{ path: string }>(
    `WITH own AS (SELECT oid, reltoastrelid FROM pg_class WHERE relnamespace = $1::regnamespace),
          toast AS (SELECT reltoastrelid AS oid FROM own WHERE reltoastrelid <> 0),
          toast_index AS (SELECT indexrelid AS oid FROM pg_index WHERE indrelid IN (SELECT oid FROM toast))
     SELECT pg_relation_filepath(oid) AS path FROM (SELECT oid FROM own UNION SELECT oid FROM toast UNION SELECT oid FROM toast_index) r
      WHERE pg_relation_filepath(oid) IS NOT NULL`,
    [schema],
  );
  const files: string[] = [];
  for (const { path } of relations.rows) {
    const full = join(dataDirectory, path);
    const name = basename(full);
    for (const entry of readdirSync(dirname(full))) {
      if (entry === name || entry.startsWith(`${name}.`) || entry.startsWith(`${name}_`)) files.push(join(dirname(full), entry));
    }
  }
  return files;
}

function countInFiles(files: string[], canary: string): number {
  return files.filter(existsSync).reduce((n, file) => n + occurrences(readFileSync(file), canary), 0);
}

describeWithPostgres("erasure on Postgres", () => {
  let persistence: PostgresPersistence;
  let admin: pg.Pool;
  let fresh: Awaited<ReturnType<typeof freshSchema>>;

  beforeEach(async () => {
    fresh = await freshSchema("erase");
    persistence = await openPostgresPersistence(fresh.url);
    admin = new pg.Pool({ connectionString: POSTGRES_TEST_URL });
    await writeUser(persistence, "erin", ERIN);
    await writeUser(persistence, "olaf", OLAF);
  });
  afterEach(async () => {
    await persistence.close();
    await admin.end();
    await fresh.drop();
  });

  (hasPgDump ? it : it.skip)("after deleteThread and the user's rows are deleted, pg_dump of the schema holds no canary", async () => {
    const before = dumpSchema(fresh.schema);
    expect(occurrences(before, ERIN)).toBeGreaterThan(0); // the dump finds the canary while it is stored
    await eraseUser(persistence, "erin");
    const after = dumpSchema(fresh.schema);
    expect(occurrences(after, ERIN)).toBe(0);
    expect(occurrences(after, OLAF)).toBe(occurrences(before, OLAF)); // the other user is untouched
  });
  if (!hasPgDump) {
    // eslint-disable-next-line no-console
    console.warn("Skipping the pg_dump erasure test: no pg_dump binary on PATH (apt-get install postgresql-client).");
  }

  (dataDirectoryProblem ? it.skip : it)("the table files keep deleted values after VACUUM, and hold none after scrubDeleted({ compact: true })", async () => {
    await admin.query("CHECKPOINT");
    const files = await relationFiles(admin, fresh.schema);
    expect(countInFiles(files, ERIN)).toBeGreaterThan(0);
    await eraseUser(persistence, "erin");
    const plain = await persistence.scrubDeleted();
    expect(plain).toMatchObject({ kind: "postgres", compacted: false });
    expect(plain.statement).toMatch(/stay in the table files as dead tuples/);
    await admin.query("CHECKPOINT");
    const afterVacuum = countInFiles(await relationFiles(admin, fresh.schema), ERIN);
    // What the statement warns about: VACUUM frees the space but leaves the bytes.
    expect(afterVacuum).toBeGreaterThan(0);

    const compacted = await persistence.scrubDeleted({ compact: true });
    expect(compacted).toMatchObject({ kind: "postgres", compacted: true });
    expect(compacted.statement).toMatch(/VACUUM FULL rewrote/);
    expect(compacted.statement).toMatch(/write-ahead log/);
    await admin.query("CHECKPOINT");
    const rewritten = await relationFiles(admin, fresh.schema);
    expect(rewritten.some((file) => !files.includes(file))).toBe(true); // new relation files
    expect(countInFiles(rewritten, ERIN)).toBe(0);
    expect(countInFiles(rewritten, OLAF)).toBeGreaterThan(0); // the scan does read the new files
    // The old files are gone or empty.
    for (const file of files.filter((f) => !rewritten.includes(f))) {
      expect(existsSync(file) ? readFileSync(file).length : 0).toBe(0);
    }
  });
});
