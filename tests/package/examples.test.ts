import { checkExamples } from "./examplesCheck.js";

// Type-checks every TypeScript @example of the public API as a reader would paste it.
describe("the @example blocks of the public API", () => {
  it("compile against the current API", () => {
    const { problems, checked } = checkExamples();
    expect(checked).toBeGreaterThan(300);
    expect(problems.map((problem) => `${problem.symbol} (${problem.where}): ${problem.message}`)).toEqual([]);
  }, 120_000);
});
