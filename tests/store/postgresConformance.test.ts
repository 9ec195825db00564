import pg from "pg";
import { PostgresStore } from "../../src/postgres.js";
import { describeStoreConformance } from "./storeConformance.js";
import { freshSchema, POSTGRES_TEST_URL, postgresAvailable } from "./postgresTestServer.js";

if (postgresAvailable) {
  // Each test gets its own fresh schema, dropped afterwards.
  describeStoreConformance("PostgresStore", async () => {
    const fresh = await freshSchema("conf");
    const pool = new pg.Pool({ connectionString: POSTGRES_TEST_URL, max: 10 });
    const store = new PostgresStore(pool, { schema: fresh.schema });
    return {
      store,
      cleanup: async () => {
        await pool.end();
        await fresh.drop();
      },
    };
  });
} else {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the store conformance spec on Postgres: no server at ${POSTGRES_TEST_URL}. Start it or set PERSONA_TEST_POSTGRES_URL.`);
  it.skip("PostgresStore conforms to the store spec (no Postgres server)", () => undefined);
}
