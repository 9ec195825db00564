#!/usr/bin/env node
// Crash test: starts a writer process, kills it with SIGKILL in the middle of
// persona updates, and checks the database after every kill: SQLite integrity
// check passes, the current persona is exactly one complete version equal to
// the newest history entry, versions form an unbroken chain, and every session
// is either still ended or learned in exactly one version.
// usage: npm run build && node scripts/kill-test.mjs [--rounds 200] [--db <file or postgres url>]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { PersonaMemory } from "../dist/memory/personaMemory.js";
import { openPersistence } from "../dist/store/openPersistence.js";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { rounds: { type: "string", default: "200" }, db: { type: "string" } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error("--rounds must be a positive integer");
  process.exit(2);
}
const dir = values.db ? undefined : mkdtempSync(join(tmpdir(), "persona-kill-"));
const location = values.db ?? join(dir, "kill.db");
const isSqlite = !/^postgres(ql)?:\/\//i.test(location);
const userId = `kill-${process.pid}`;

function runWriterAndKill(round) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, "kill-test-writer.mjs"), location, userId, String(round)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.once("data", () => {
      // Let it write for a random while, then kill it without warning.
      setTimeout(() => child.kill("SIGKILL"), 5 + Math.floor(Math.random() * 80));
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve();
      else reject(new Error(`writer exited on its own (code ${code}): ${stderr.trim()}`));
    });
  });
}

async function check(round) {
  const problems = [];
  if (isSqlite) {
    const db = new Database(location, { readonly: true });
    const result = db.pragma("integrity_check", { simple: true });
    db.close();
    if (result !== "ok") problems.push(`integrity_check: ${result}`);
  }
  const persistence = await openPersistence(location);
  try {
    const memory = new PersonaMemory(persistence.store, userId);
    const document = await memory.load();
    const history = await memory.history();
    history.forEach((v, i) => {
      if (v.version !== i + 1 || v.parentVersion !== i) problems.push(`history breaks at version ${v.version}`);
    });
    if (document.version !== history.length) problems.push(`current version ${document.version} but ${history.length} in history`);
    const latest = history.at(-1);
    if (latest && JSON.stringify(latest.persona) !== JSON.stringify(document.persona)) {
      problems.push(`current persona differs from version ${latest.version}`);
    }
    const markers = new Set(Object.values(document.persona).flatMap((group) => Object.values(group)));
    if (document.version > 0 && (markers.size !== 1 || ![...markers][0].startsWith(`v${document.version} `))) {
      problems.push(`persona is not one complete version: ${[...markers].map((m) => m.slice(0, 8)).join(", ")}`);
    }
    for (const session of await memory.sessions()) {
      const owners = history.filter((v) => v.sessionIds.includes(session.sessionId)).length;
      if (session.status === "learned" ? owners !== 1 : owners !== 0) {
        // A session is either waiting (ended, in no version) or learned in exactly one.
        problems.push(`session ${session.sessionId} is ${session.status} and in ${owners} versions`);
      }
    }
    return { problems, version: document.version };
  } finally {
    await persistence.close();
  }
}

const started = Date.now();
let failures = 0;
let version = 0;
for (let round = 1; round <= rounds; round++) {
  await runWriterAndKill(round);
  const result = await check(round);
  version = result.version;
  if (result.problems.length) {
    failures++;
    console.error(`round ${round}: ${result.problems.join("; ")}`);
  }
  if (round % 25 === 0 || round === rounds) {
    process.stderr.write(`  ${round}/${rounds} rounds, ${failures} failed, persona at version ${version}\n`);
  }
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `kill test: ${rounds} SIGKILL rounds on ${isSqlite ? "SQLite" : "Postgres"}, ${failures} failed checks, ` +
    `${version} persona versions committed, ${seconds} s`,
);
if (dir) rmSync(dir, { recursive: true, force: true });
process.exit(failures === 0 ? 0 : 1);
