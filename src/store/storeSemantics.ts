import type { ListNamespacesOperation, MatchCondition } from "@langchain/langgraph";

/**
 * What SqliteStore and PostgresStore share: how namespaces are encoded, how
 * filters match, how namespace listings are cut.
 *
 * Namespaces are stored as URI-encoded labels, each followed by "/":
 * ["persona","u1"] -> "persona/u1/". A label never contains a raw "/", so the
 * prefix "persona/u1/" can never match "persona/u10/".
 *
 * @param namespace whole labels
 * @returns the stored form
 * @example
 * encodeNamespace(["persona", "a/b"]); // "persona/a%2Fb/"
 */
export function encodeNamespace(namespace: readonly string[]): string {
  return namespace.map((label) => `${encodeURIComponent(label)}/`).join("");
}

/**
 * The labels of a stored namespace (inverse of encodeNamespace).
 *
 * @param encoded the stored form
 * @returns the labels
 * @example
 * decodeNamespace("persona/a%2Fb/"); // ["persona", "a/b"]
 */
export function decodeNamespace(encoded: string): string[] {
  return encoded
    .slice(0, -1)
    .split("/")
    .map((label) => decodeURIComponent(label));
}

/**
 * The encoded range [low, high) that holds exactly the namespaces under a
 * non-empty prefix, compared as bytes: every encoded label ends with "/" and
 * "/" + 1 is "0". No character of a label acts as a pattern.
 *
 * @param prefix whole labels
 * @returns [low, high) for `ns >= low AND ns < high`
 * @example
 * namespaceRange(["persona", "u1"]); // ["persona/u1/", "persona/u10"]
 */
export function namespaceRange(prefix: readonly string[]): [string, string] {
  const low = encodeNamespace(prefix);
  return [low, `${low.slice(0, -1)}0`];
}

/**
 * The labels of a listNamespaces prefix condition before its first "*"
 * wildcard (LangGraph's contract: a "*" label in a condition matches any
 * label). A store may narrow its scan to them; the conditions are still
 * applied in full by selectNamespaces.
 *
 * @param op a listNamespaces operation
 * @returns the literal leading labels, possibly none
 * @example
 * literalPrefix({ matchConditions: [{ matchType: "prefix", path: ["persona", "*", "history"] }] }); // ["persona"]
 */
export function literalPrefix(op: Pick<ListNamespacesOperation, "matchConditions">): string[] {
  const condition = op.matchConditions?.find((c) => c.matchType === "prefix");
  if (!condition) return [];
  const wildcard = condition.path.indexOf("*");
  return condition.path.slice(0, wildcard === -1 ? condition.path.length : wildcard);
}

/**
 * The label rules of LangGraph's stores: non-empty strings without ".".
 *
 * @param namespace the labels
 * @param allowEmpty whether no label at all is allowed (a search of everything)
 * @throws Error naming the bad label
 * @example
 * validateLabels(["persona", "u1"], false);
 */
export function validateLabels(namespace: readonly string[], allowEmpty: boolean): void {
  if (!Array.isArray(namespace)) throw new TypeError("namespace must be an array of strings");
  if (namespace.length === 0 && !allowEmpty) throw new Error("Namespace cannot be empty.");
  for (const label of namespace) {
    if (typeof label !== "string" || label === "") {
      throw new Error(`Invalid namespace label ${JSON.stringify(label)}: labels must be non-empty strings.`);
    }
    if (label.includes(".")) {
      throw new Error(`Invalid namespace label '${label}': labels cannot contain periods ('.').`);
    }
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function compareFilterValue(actual: unknown, expected: unknown): boolean {
  if (expected && typeof expected === "object" && !Array.isArray(expected)) {
    const operators = Object.entries(expected as Record<string, unknown>).filter(([op]) => op.startsWith("$"));
    if (operators.length > 0) {
      return operators.every(([op, value]) => {
        switch (op) {
          case "$eq":
            return sameJson(actual, value);
          case "$ne":
            return !sameJson(actual, value);
          case "$gt":
            return Number(actual) > Number(value);
          case "$gte":
            return Number(actual) >= Number(value);
          case "$lt":
            return Number(actual) < Number(value);
          case "$lte":
            return Number(actual) <= Number(value);
          case "$in":
            return Array.isArray(value) && value.some((candidate) => sameJson(actual, candidate));
          case "$nin":
            return !Array.isArray(value) || !value.some((candidate) => sameJson(actual, candidate));
          default:
            throw new Error(`unsupported filter operator "${op}"`);
        }
      });
    }
  }
  return sameJson(actual, expected);
}

/**
 * True when an item's value satisfies every entry of a search filter (top-level
 * fields; `$eq`, `$ne`, `$gt`, `$gte`, `$lt`, `$lte`, `$in`, `$nin`).
 *
 * @param value the stored value
 * @param filter the search filter, or undefined for none
 * @returns whether the item matches
 * @example
 * matchesFilter({ status: "ended" }, { status: "ended" }); // true
 */
export function matchesFilter(value: Record<string, unknown>, filter: Record<string, unknown> | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([field, expected]) => compareFilterValue(value[field], expected));
}

function matchesCondition(condition: MatchCondition, namespace: string[]): boolean {
  const { path, matchType } = condition;
  if (path.length > namespace.length) return false;
  const start = matchType === "suffix" ? namespace.length - path.length : 0;
  return path.every((label, i) => label === "*" || namespace[start + i] === label);
}

/**
 * Applies a listNamespaces operation (conditions, depth, order, paging) to stored namespaces.
 *
 * @param stored the decoded namespaces
 * @param op the operation
 * @returns the namespaces to return
 * @example
 * selectNamespaces([["persona", "u1"]], { matchConditions: [{ matchType: "prefix", path: ["persona"] }] });
 */
export function selectNamespaces(stored: string[][], op: ListNamespacesOperation): string[][] {
  let namespaces = stored;
  if (op.matchConditions?.length) {
    namespaces = namespaces.filter((ns) => op.matchConditions!.every((c) => matchesCondition(c, ns)));
  }
  if (op.maxDepth !== undefined) {
    const seen = new Map<string, string[]>();
    for (const ns of namespaces) {
      const cut = ns.slice(0, op.maxDepth);
      seen.set(JSON.stringify(cut), cut);
    }
    namespaces = [...seen.values()];
  }
  namespaces = [...namespaces].sort((a, b) => a.join("\u0000").localeCompare(b.join("\u0000")));
  const offset = op.offset ?? 0;
  return namespaces.slice(offset, offset + (op.limit ?? namespaces.length));
}
