/**
 * Postgres connection settings, kept apart from the modules that load `pg`,
 * so choosing a database never requires the optional Postgres packages.
 */

/**
 * Checks that a schema name can be quoted into SQL safely.
 *
 * @param schema the name
 * @returns the same name
 * @throws Error saying which characters are allowed
 * @example
 * assertSchemaName("persona"); // "persona"
 */
export function assertSchemaName(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(
      `invalid Postgres schema name "${schema}": use letters, digits and "_" (at most 63, not starting with a digit)`,
    );
  }
  return schema;
}

/**
 * True for a `postgres://` or `postgresql://` URL (anything else is a SQLite path).
 *
 * @param location a --db value
 * @returns whether it selects Postgres
 * @example
 * isPostgresUrl("postgres://app@db/persona"); // true
 */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim());
}

/**
 * Splits our own `schema` query parameter off a postgres:// URL (pg would pass it to the server).
 *
 * @param url a postgres:// URL
 * @returns the URL for pg and the schema, if given
 * @throws Error for an unparsable URL or a bad schema name
 * @example
 * parsePostgresUrl("postgres://app@db/persona?schema=p"); // { connectionString: "postgres://app@db/persona", schema: "p" }
 */
export function parsePostgresUrl(url: string): { connectionString: string; schema?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new Error(`invalid Postgres URL: expected postgres://user@host:port/database[?schema=name]`);
  }
  const schema = parsed.searchParams.get("schema") ?? undefined;
  parsed.searchParams.delete("schema");
  return { connectionString: parsed.toString(), ...(schema ? { schema: assertSchemaName(schema) } : {}) };
}

/**
 * The URL without its password, for messages (also for an unparsable URL).
 *
 * @param url a postgres:// URL
 * @returns the URL with the password replaced by ***
 * @example
 * redactPostgresUrl("postgres://app:secret@db/persona"); // "postgres://app:***@db/persona"
 */
export function redactPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    // Unparsable: still name it, with anything that may be a password hidden.
    return url.trim().replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
  }
}

/**
 * Names the server of a pg Pool for messages, password hidden (read from the
 * pool's options without importing pg).
 *
 * @param pool a pg Pool, or anything with pg's `options`
 * @returns a postgres:// URL without password
 * @example
 * describePool(new pg.Pool({ connectionString: "postgres://app:secret@db/persona" })); // "postgres://app:***@db/persona"
 */
export function describePool(pool: unknown): string {
  const options =
    (pool as { options?: { connectionString?: string; host?: string; port?: number; database?: string; user?: string } } | null)?.options ?? {};
  if (options.connectionString) return redactPostgresUrl(options.connectionString);
  const user = options.user ? `${options.user}@` : "";
  return `postgres://${user}${options.host ?? "localhost"}:${options.port ?? 5432}/${options.database ?? ""}`;
}
