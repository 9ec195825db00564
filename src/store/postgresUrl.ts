/**
 * Postgres connection settings, kept apart from the modules that load `pg`,
 * so choosing a database never requires the optional Postgres packages.
 */

/** A schema name we can safely quote into SQL. */
export function assertSchemaName(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(
      `invalid Postgres schema name "${schema}": use letters, digits and "_" (at most 63, not starting with a digit)`,
    );
  }
  return schema;
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim());
}

/** Splits our own `schema` query parameter off a postgres:// URL (pg would pass it to the server). */
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

/** The URL without its password, for messages. */
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
