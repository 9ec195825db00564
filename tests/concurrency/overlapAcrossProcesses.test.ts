import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { resolvePersonaSettings, learnPersona } from "../../src/learning.js";
import { PersonaMemory, openPersistence } from "../../src/index.js";
import { ScriptedChatModel, type ScriptedCall } from "../../src/testing/index.js";
import { updateCall } from "../helpers/learnerReplies.js";
import { describeWithPostgres, freshSchema } from "../store/postgresTestServer.js";

const WORKER = resolve(__dirname, "overlapWorker.mjs");
const DIST = resolve(__dirname, "../../dist/graph/createPersonaGraph.js");
const TRIALS = 10;

interface Worker {
  go(): void;
  /** Resolves when the worker's chat model has been called. */
  modelCalled: Promise<void>;
  done: Promise<{ reply: string; learnerPrompts: string[] }>;
}

/** Starts a worker and resolves once it has loaded everything and waits for "go". */
function startWorker(args: string[]): Promise<Worker> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [WORKER, ...args]);
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const output: string[] = [];
  let markModelCalled = () => {};
  const modelCalled = new Promise<void>((resolve) => (markModelCalled = resolve));
  return new Promise((ready, fail) => {
    lines.on("line", (line) => {
      if (line === "model") markModelCalled();
      else if (line === "ready") {
        ready({
          go: () => child.stdin.write("go\n"),
          modelCalled,
          done: new Promise((finish, crash) =>
            child.on("exit", (code) =>
              code === 0 ? finish(JSON.parse(output.at(-1)!)) : crash(new Error(`worker exited ${code}: ${stderr}`)),
            ),
          ),
        });
      } else output.push(line);
    });
    child.on("exit", (code) => (code !== 0 ? fail(new Error(`worker exited ${code} before ready: ${stderr}`)) : undefined));
  });
}

/**
 * One trial: thread A has one turn; A's second turn is still waiting for its
 * (slow) model when the same user opens thread B in another process, which
 * ends A's session and learns it (k = 1). A's late turn must be learned later,
 * and no learner prompt may lack a turn or repeat one.
 */
async function trial(location: string, userId: string): Promise<string[]> {
  const prompts: string[] = [];
  const model = new ScriptedChatModel({
    replies: [
      (call: ScriptedCall) => {
        prompts.push(call.messages.map((m) => String(m.content)).join("\n"));
        return updateCall([]);
      },
    ],
    repeatLast: true,
  });
  const first = await startWorker([location, userId, `${userId}-a`, `${userId} alpha one`, "0"]);
  first.go();
  await first.done;
  const slow = await startWorker([location, userId, `${userId}-a`, `${userId} alpha two`, "600"]);
  const other = await startWorker([location, userId, `${userId}-b`, `${userId} beta one`, "0"]);
  slow.go();
  await slow.modelCalled; // A's second turn is now waiting for its (600 ms) model
  other.go();
  const [slowResult, otherResult] = await Promise.all([slow.done, other.done]);
  prompts.push(...slowResult.learnerPrompts, ...otherResult.learnerPrompts);

  // Drain what is still pending, then check every recorded turn was shown to a learner exactly once.
  const persistence = await openPersistence(location);
  try {
    const memory = new PersonaMemory(persistence.store, userId);
    await memory.endSession(`${userId}-b`, "explicit");
    const settings = resolvePersonaSettings({ model, updateEvery: 1 });
    while ((await memory.pendingSessions()).length > 0) await learnPersona(memory, settings);
    const problems: string[] = [];
    for (const text of [`${userId} alpha one`, `${userId} alpha two`, `${userId} beta one`]) {
      const seen = prompts.filter((prompt) => prompt.includes(`User: ${text}`)).length;
      if (seen !== 1) problems.push(`"${text}" shown to the learner ${seen} times`);
    }
    if (prompts.some((prompt) => prompt.includes("(empty)"))) problems.push("a learner saw an empty session");
    for (const session of await memory.sessions()) {
      if (session.status !== "learned" || session.learnedTurns !== session.turns || session.turns === 0) {
        problems.push(`${session.sessionId}: ${session.status}, ${session.learnedTurns}/${session.turns} turns learned`);
      }
    }
    return problems;
  } finally {
    await persistence.close();
  }
}

async function trials(location: string): Promise<void> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run "npm run build" first (npm test does)`);
  const problems: string[] = [];
  let lateTurns = 0;
  for (let i = 0; i < TRIALS; i++) {
    const userId = `overlap-${i}`;
    problems.push(...(await trial(location, userId)).map((p) => `trial ${i}: ${p}`));
    const persistence = await openPersistence(location);
    const archived = await new PersonaMemory(persistence.store, userId).getSession(`${userId}-a`);
    await persistence.close();
    if (archived && archived.learnedInVersion !== undefined && archived.turns === 2) lateTurns++;
  }
  // eslint-disable-next-line no-console
  console.log(`overlap across processes: ${TRIALS} trials, ${TRIALS * 3} turns, ${problems.length} problems`);
  expect(problems).toEqual([]);
  expect(lateTurns).toBe(TRIALS);
}

describe("a session is never learned before its transcript exists (processes overlapping)", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "persona-overlap-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`SQLite, ${TRIALS} trials`, async () => {
    await trials(join(dir, "overlap.db"));
  }, 300_000);
});

describeWithPostgres("a session is never learned before its transcript exists (processes overlapping, Postgres)", () => {
  it(`Postgres, ${TRIALS} trials`, async () => {
    const fresh = await freshSchema("overlap");
    try {
      await trials(fresh.url);
    } finally {
      await fresh.drop();
    }
  }, 300_000);
});
