import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

// The checked-in API reports (etc/api/*.api.md) must match the built .d.ts files, so a change to the
// public surface is deliberate: `npm run api:update` and commit the reports. Needs `npm run build`
// (npm test builds first).
jest.setTimeout(180_000);

const ROOT = join(__dirname, "..", "..");
const SCRIPT = join(ROOT, "scripts", "api-report.mjs");
const run = promisify(execFile);

async function check(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, "--check", ...args], { cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, output: `${failure.stdout ?? ""}${failure.stderr ?? ""}` };
  }
}

/** Entry files of the package: src/<name>.ts and src/testing/index.ts. */
function sourceEntries(): string[] {
  const top = readdirSync(join(ROOT, "src")).filter((file) => file.endsWith(".ts")).map((file) => file.replace(/\.ts$/, ""));
  return [...top, "testing"].sort();
}

test("there is one API report per package entry", () => {
  const reports = readdirSync(join(ROOT, "etc", "api")).filter((file) => file.endsWith(".api.md")).map((file) => file.replace(/\.api\.md$/, ""));
  expect(reports.sort()).toEqual(sourceEntries());
});

test("the API reports match the built declarations", async () => {
  const { code, output } = await check();
  expect(output).toMatch(/11 entries match their reports/);
  expect(code).toBe(0);
});

test("a changed public surface fails the check and names the entry", async () => {
  const reports = mkdtempSync(join(tmpdir(), "persona-api-reports-"));
  try {
    cpSync(join(ROOT, "etc", "api"), reports, { recursive: true });
    // As if learnPersona had been exported without updating the report.
    const learning = join(reports, "learning.api.md");
    const text = readFileSync(learning, "utf8");
    expect(text).toMatch(/export function learnPersona\(/);
    writeFileSync(learning, text.replace(/^export function learnPersona\(.*$/m, ""));
    const { code, output } = await check("--reports", reports, "--only", "index,learning");
    expect(code).toBe(1);
    expect(output).toMatch(/the public API of "learning" differs from/);
    expect(output).toMatch(/npm run api:update/);
    expect(output).not.toMatch(/"index"/);
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
});
