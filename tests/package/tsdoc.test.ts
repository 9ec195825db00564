import { writeFileSync } from "node:fs";
import { ENTRY_FILES, findDocProblems } from "./tsdocCheck.js";

// Every export reachable from the package entries is documented: a summary, @param per parameter,
// @returns (unless it returns nothing), @default on each optional property of an *Options, *Settings or *Policy interface,
// and an @example; public methods of exported classes have a summary, @param and @returns.
jest.setTimeout(60_000);

test("every public export has complete TSDoc", () => {
  const problems = findDocProblems();
  const lines = problems.map(({ entry, symbol, problem }) => `${entry} ${symbol}: ${problem}`);
  if (process.env.TSDOC_REPORT) {
    const detail = problems.map(({ where, symbol, problem }) => `${where} ${symbol}: ${problem}`).sort();
    writeFileSync(process.env.TSDOC_REPORT, detail.join("\n") + "\n");
  }
  expect(lines).toEqual([]);
});

test("the check finds what is missing", () => {
  // A fixture entry with one undocumented function, one half-documented one and an options interface.
  const problems = findDocProblems(["tests/package/fixtures/tsdocGaps.ts"]);
  expect(problems.map(({ symbol, problem }) => `${symbol}: ${problem}`).sort()).toEqual(
    [
      "GapOptions: limit: no @default",
      "halfDocumented: no @example",
      "halfDocumented: no @param b",
      "halfDocumented: no @returns",
      "undocumented: no @example",
      "undocumented: no @param a",
      "undocumented: no @returns",
      "undocumented: no summary",
    ].sort(),
  );
  expect(ENTRY_FILES).toContain("src/index.ts");
});
