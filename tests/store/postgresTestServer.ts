import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";

/** The test server: PERSONA_TEST_POSTGRES_URL, else the local one. */
export const POSTGRES_TEST_URL =
  process.env.PERSONA_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

function probe(): string | null {
  const script = `const {Client}=require("pg");const c=new Client({connectionString:process.argv[1],connectionTimeoutMillis:3000});
c.connect().then(()=>c.end()).then(()=>process.exit(0),(e)=>{console.error(e.message);process.exit(1)})`;
  const result = spawnSync(process.execPath, ["-e", script, POSTGRES_TEST_URL], { encoding: "utf8", timeout: 10000 });
  return result.status === 0 ? null : (result.stderr.trim() || "no answer");
}

const problem = probe();
/** True when the Postgres test server answers. */
export const postgresAvailable = problem === null;

/** `describe` when Postgres answers, else `describe.skip` with a message saying why. */
export function describeWithPostgres(name: string, body: () => void): void {
  if (postgresAvailable) {
    describe(name, body);
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`Skipping "${name}": no Postgres at ${POSTGRES_TEST_URL} (${problem}). Start it or set PERSONA_TEST_POSTGRES_URL.`);
  describe.skip(name, body);
}

/** A fresh, uniquely named schema; drop it with the returned function. */
export async function freshSchema(prefix = "t"): Promise<{ schema: string; url: string; drop: () => Promise<void> }> {
  const schema = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const url = `${POSTGRES_TEST_URL}${POSTGRES_TEST_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  return {
    schema,
    url,
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
