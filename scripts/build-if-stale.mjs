#!/usr/bin/env node
// Builds dist/ (tsdown) only when it is missing or older than its inputs, so
// `npm start` and `npm test` do not recompile on every launch.
// Usage: node scripts/build-if-stale.mjs [--check | --force]
//   --check: print the state, exit 1 when stale; --force: build even when fresh (npm run build).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** What the build reads: a change to any of these makes dist/ stale. */
const INPUTS = ["src", "tsdown.config.ts", "tsconfig.json", "tsconfig.build.json", "package-lock.json"];
/** Outputs that must exist; the build deletes dist/ first, so one missing means no complete build. */
const OUTPUTS = ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts", "dist/cli/main.js"];
// Outside dist/ (which ships in the package); written after a build succeeded.
const STAMP = join(ROOT, "node_modules", ".cache", "langgraph-persona", "build-stamp");

function newestInput(path) {
  if (!existsSync(path)) return { time: 0, path };
  const stats = statSync(path);
  if (!stats.isDirectory()) return { time: stats.mtimeMs, path };
  let newest = { time: stats.mtimeMs, path };
  for (const name of readdirSync(path)) {
    const candidate = newestInput(join(path, name));
    if (candidate.time > newest.time) newest = candidate;
  }
  return newest;
}

/** Why dist/ needs a build, or undefined when it is up to date. */
export function staleReason() {
  const missing = OUTPUTS.find((output) => !existsSync(join(ROOT, output)));
  if (missing) return `${missing} is missing`;
  if (!existsSync(STAMP)) return "no finished build recorded";
  const built = statSync(STAMP).mtimeMs;
  for (const input of INPUTS) {
    const newest = newestInput(join(ROOT, input));
    if (newest.time > built) return `${newest.path.slice(ROOT.length + 1)} changed since the last build`;
  }
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reason = process.argv.includes("--force") ? "--force" : staleReason();
  if (process.argv.includes("--check")) {
    console.log(reason ? `stale: ${reason}` : "fresh");
    process.exit(reason ? 1 : 0);
  }
  if (reason) {
    process.stderr.write(`building dist/ (${reason})\n`);
    const started = Date.now();
    const tsdown = join(ROOT, "node_modules", "tsdown", "dist", "run.mjs");
    const result = spawnSync(process.execPath, [tsdown, "--log-level", "error"], { cwd: ROOT, stdio: "inherit" });
    if (result.status !== 0) {
      process.stderr.write(`build failed (tsdown exited ${result.status ?? result.signal}); dist/ is not up to date\n`);
      process.exit(1);
    }
    mkdirSync(dirname(STAMP), { recursive: true });
    writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
    // Dated at the build's start: a source edited while it ran still counts as newer.
    utimesSync(STAMP, new Date(started), new Date(started));
    if (reason !== "--force") process.stderr.write(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}
