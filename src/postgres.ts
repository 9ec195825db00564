// Postgres persistence. Needs the optional packages `pg` and
// `@langchain/langgraph-checkpoint-postgres`, so it lives apart from the root entry.
export { PostgresStore } from "./store/postgresStore.js";
export type { PostgresStoreOptions } from "./store/postgresStore.js";
export { openPostgresPersistence, postgresErasureStatement } from "./store/postgresPersistence.js";
export type { PostgresPersistence, PostgresPersistenceOptions } from "./store/postgresPersistence.js";
