import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const SCRIPT = resolve(__dirname, "../../scripts/kill-test.mjs");

// The full crash test is `node scripts/kill-test.mjs` (200 rounds); this is a short run of the same script.
describe("SIGKILL during persona updates", () => {
  it("keeps the SQLite file intact and the persona one complete version (6 rounds)", async () => {
    if (!existsSync(resolve(__dirname, "../../dist/memory/personaMemory.js"))) {
      throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
    }
    const { stdout } = await run(process.execPath, [SCRIPT, "--rounds", "6"], { timeout: 120000 });
    expect(stdout).toMatch(/kill test: 6 SIGKILL rounds on SQLite, 0 failed checks, \d+ persona versions committed/);
    const versions = Number(/(\d+) persona versions committed/.exec(stdout)![1]);
    expect(versions).toBeGreaterThan(0); // the writer did run between kills
  });
});
