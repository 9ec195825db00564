#!/usr/bin/env node
// Time from `npm start` to the chat prompt, with dist/ stale (a source file
// newer than the last build, as after a checkout or an edit) and fresh (built).
// The chat runs in a pseudo-terminal (util-linux `script`) so it shows its prompt;
// nothing is sent to a model.
// Usage: node scripts/measure-start.mjs [--runs N] [--stale-runs N] [--prompt "you> "]
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    "stale-runs": { type: "string", default: "2" },
    prompt: { type: "string", default: "you> " },
    timeout: { type: "string", default: "120" },
  },
});
const runs = Number(values.runs);
const staleRuns = Number(values["stale-runs"]);
if (!(runs >= 1 && staleRuns >= 1)) throw new Error("--runs and --stale-runs must be at least 1");
if (spawnSync("script", ["--version"]).status !== 0) {
  console.error("measure-start: util-linux `script` is needed for a pseudo-terminal (Debian: apt-get install bsdutils)");
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "persona-measure-start-"));

/** Seconds from launching `command` until its output shows the prompt; then types /exit. */
function timeToPrompt(command) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        ...process.env,
        OPENAI_API_KEY: "measure-start",
        OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
        npm_config_update_notifier: "false",
      },
    });
    let output = "";
    let seconds;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no prompt "${values.prompt}" within ${values.timeout} s from: ${command}\n${output}`));
    }, Number(values.timeout) * 1000);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (seconds === undefined && output.includes(values.prompt)) {
        seconds = Number(process.hrtime.bigint() - started) / 1e9;
        child.stdin.write("/exit\r");
      }
    });
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (seconds === undefined) reject(new Error(`exited ${code} before the prompt: ${command}\n${output}`));
      else resolve(seconds);
    });
  });
}

function makeStale() {
  // A newer modification time, as an edit or a checkout leaves; the content is unchanged.
  const now = new Date();
  utimesSync(join(ROOT, "src", "index.ts"), now, now);
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const format = (list) => `median ${median(list).toFixed(2)} s  (${list.map((s) => s.toFixed(2)).join(", ")})`;

try {
  const start = (n) => `npm start --silent -- --user measure --db ${join(work, `start-${n}.db`)}`;
  const stale = [];
  for (let i = 0; i < staleRuns; i++) {
    makeStale();
    stale.push(await timeToPrompt(start(`stale-${i}`)));
  }
  const fresh = [];
  for (let i = 0; i < runs; i++) fresh.push(await timeToPrompt(start(`fresh-${i}`)));
  const direct = [];
  for (let i = 0; i < runs; i++) {
    direct.push(await timeToPrompt(`node dist/cli/main.js chat --user measure --db ${join(work, `direct-${i}.db`)}`));
  }
  console.log(
    `time to the chat prompt (node ${process.version}, ${runs} fresh / ${staleRuns} stale runs; ` +
      `${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the end)`,
  );
  console.log(`  npm start, dist/ stale (rebuilds):  ${format(stale)}`);
  console.log(`  npm start, dist/ fresh:             ${format(fresh)}`);
  console.log(`  node dist/cli/main.js chat:         ${format(direct)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
