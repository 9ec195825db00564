/**
 * What `scrubDeleted` did to the database files after rows were deleted, and
 * exactly what that guarantees. The CLI prints `statement`.
 *
 * @example
 * const report = await persistence.scrubDeleted({ compact: true });
 * console.error(report.statement);
 */
export interface ScrubReport {
  kind: "sqlite" | "postgres";
  /** True when the tables were rewritten into new files (SQLite always; Postgres with `compact`). */
  compacted: boolean;
  /** What is and is not guaranteed about the physical files, in plain words. */
  statement: string;
}

/**
 * Options of `scrubDeleted`.
 *
 * @example
 * await persistence.scrubDeleted({ compact: true });
 */
export interface ScrubOptions {
  /**
   * Postgres: rewrite the affected tables with VACUUM FULL, so their current
   * files hold no deleted row (takes an exclusive lock on each table while it
   * runs). SQLite always rebuilds the file.
   * @default false
   */
  compact?: boolean;
}
