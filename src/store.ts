// The store entry point (`langgraph-persona/store`): the SQLite store and persistence.
export { SqliteStore } from "./store/sqliteStore.js";
export { openSqlitePersistence } from "./store/sqlitePersistence.js";
