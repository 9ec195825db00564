#!/usr/bin/env node
// The persona graph's cost, side by side with a bare LangGraph chat graph, in one run.
//
// Usage: npm run bench:perf [-- --quick] [--turns 200] [--sessions 50,500] [--no-postgres] [--out BENCHMARKS.md]
//
// Both graphs use the same SqliteSaver on one SQLite file and the same zero-latency scripted
// model (50 ms for the concurrency figure); their turns are interleaved so a busy machine slows
// both alike. Figures are ratios and differences measured in this one run: no timed assertions
// live in the test suite. Writes the figures, the machine and the command to BENCHMARKS.md.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { performance, PerformanceObserver } from "node:perf_hooks";
import Database from "better-sqlite3";
import { HumanMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { buildChatbotSystemPrompt, countTokens, renderPersona } from "../dist/render.js";
import { createPersonaGraph, defaultPersonaSchema, PersonaMemory } from "../dist/index.js";
import { PersonaGraphAnnotation } from "../dist/graph.js";
import { SqliteStore } from "../dist/store.js";
import { loadPersonaBench, personaFromPersonaBench } from "../dist/bench.js";
import { isSemanticGuardCall, ScriptedChatModel, semanticGuardScriptedReply } from "../dist/testing/index.js";
import { formatStoreThroughput, measureStoreThroughput } from "./bench-store.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean" },
    turns: { type: "string" },
    sessions: { type: "string" },
    "no-postgres": { type: "boolean" },
    out: { type: "string" },
  },
});
const quick = Boolean(flags.quick);
const TURNS = Number(flags.turns ?? (quick ? 60 : 200));
const SESSION_COUNTS = (flags.sessions ?? (quick ? "20,60" : "50,500")).split(",").map(Number);
const OUT = resolve(flags.out ?? join(root, "BENCHMARKS.md"));
const WARMUP_TURNS = 30;
const THREADS = quick ? 2 : 5;
const HISTORY_TURNS = quick ? 40 : 100;
const WINDOWS = TURNS >= 200 ? [[0, 20], [80, 100], [180, 200]] : [[0, 20], [Math.floor(TURNS / 2) - 10, Math.floor(TURNS / 2) + 10], [TURNS - 20, TURNS]];
const dir = mkdtempSync(join(tmpdir(), "persona-perf-"));
const lines = [];
const say = (text = "") => {
  lines.push(text);
  console.log(text);
};

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
};
const ms = (n) => n.toFixed(2);
const signed = (x) => `${x >= 0 ? "+" : ""}${ms(x)}`;
const pair = (list) => `${ms(quantile(list, 0.5))} / ${ms(quantile(list, 0.95))}`;
const added = (a, b) => `${signed(quantile(a, 0.5) - quantile(b, 0.5))} / ${signed(quantile(a, 0.95) - quantile(b, 0.95))}`;
const now = () => performance.now();

// Garbage-collection pauses (performance.now() time), to tell which graph's turns they land in.
const gcPauses = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push([entry.startTime, entry.duration]);
}).observe({ entryTypes: ["gc"] });
const gcWithin = (spans) => spans.reduce((sum, [from, to]) => sum + gcPauses.filter(([at]) => at >= from && at < to).reduce((a, [, d]) => a + d, 0), 0);

function scripted(latencyMs = 0) {
  return new ScriptedChatModel({
    replies: [
      (call) =>
        call.tools.includes("update_persona")
          ? { content: "", tool_calls: [{ id: "c", name: "update_persona", args: { changes: [] }, type: "tool_call" }] }
          : "ok, here is a short answer to that",
    ],
    repeatLast: true,
    latencyMs,
  });
}

/**
 * The bare baseline: LangGraph's MessagesAnnotation and one chatbot node. With `store`, compiled
 * with it (and never using it): LangGraph then runs its batching store for each run, as it does
 * for the persona graph.
 */
function bareGraph(model, checkpointer, store) {
  return new StateGraph(MessagesAnnotation)
    .addNode("chatbot", async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
    .addEdge(START, "chatbot")
    .addEdge("chatbot", END)
    .compile({ checkpointer, ...(store ? { store } : {}) });
}

/** A store wrapper that counts the calls reaching the store (database round trips). */
function counted(store) {
  const counts = { calls: 0 };
  for (const method of ["batch", "commitAtomically"]) {
    const original = store[method].bind(store);
    store[method] = (...args) => {
      counts.calls++;
      return original(...args);
    };
  }
  return counts;
}

function persistence(file) {
  const db = new Database(file);
  const store = new SqliteStore(db);
  const checkpointer = new SqliteSaver(db);
  return { db, store, checkpointer };
}

// ---- 1. per-turn cost over one long thread ----------------------------------------------------
/**
 * The persona graph's shape with nothing in it: three nodes in a row (the middle one calls the
 * model) on the persona state, durability exit. What LangGraph costs for that structure alone.
 */
function structureGraph(model, checkpointer) {
  return new StateGraph(PersonaGraphAnnotation)
    .addNode("open", async () => ({}))
    .addNode("chatbot", async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
    .addNode("record", async () => ({}))
    .addEdge(START, "open")
    .addEdge("open", "chatbot")
    .addEdge("chatbot", "record")
    .addEdge("record", END)
    .compile({ checkpointer })
    .withConfig({ durability: "exit" });
}

async function perTurn() {
  const { store, checkpointer } = persistence(join(dir, "turns.db"));
  const model = scripted();
  const bare = bareGraph(model, checkpointer);
  const graphs = {
    persona: createPersonaGraph({ model, updateEvery: 3, semanticGuard: false }).compile({ checkpointer, store }),
    bare,
    bareStore: bareGraph(model, checkpointer, store),
    bareExit: bare.withConfig({ durability: "exit" }),
    structure: structureGraph(model, checkpointer),
  };
  const names = Object.keys(graphs);
  const rounds = counted(store);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  const spans = Object.fromEntries(names.map((name) => [name, []]));
  const roundTrips = [];
  await new Promise((r) => setTimeout(r, 1500)); // the tokenizer is built after the graph; let it finish
  // The checkpointer creates its tables on first use: do that before either graph is timed.
  await checkpointer.getTuple({ configurable: { thread_id: "setup" } });
  // A fresh process: the first turns of each graph, before the code is warm (JIT, first statements).
  const cold = Object.fromEntries(names.map((name) => [name, []]));
  for (let turn = 0; turn < WARMUP_TURNS; turn++) {
    for (const name of turn % 2 ? names : [...names].reverse()) {
      const start = now();
      await graphs[name].invoke({ messages: [new HumanMessage(`warm-up ${turn}`)] }, { configurable: { thread_id: `warm-${name}` }, context: { userId: "perf-warm" } });
      cold[name].push(now() - start);
    }
  }
  // THREADS threads of each graph (one user each), advanced one turn at a time: a window of 20
  // turns holds 20 × THREADS samples per graph.
  for (let turn = 0; turn < TURNS; turn++) {
    for (const name of names) times[name].push([]);
    for (let thread = 0; thread < THREADS; thread++) {
      for (const name of (turn + thread) % 2 ? names : [...names].reverse()) {
        const config = { configurable: { thread_id: `long-${name}-${thread}` }, context: { userId: `perf-${thread}` } };
        const before = rounds.calls;
        const start = now();
        await graphs[name].invoke({ messages: [new HumanMessage(`turn ${turn}: tell me something new`)] }, config);
        const end = now();
        times[name][turn].push(end - start);
        if (turn < WINDOWS[0][1]) spans[name].push([start, end]);
        if (name === "persona" && turn > 0) roundTrips.push(rounds.calls - before);
      }
    }
  }
  say(`## Per-turn cost by thread length (${THREADS} threads of ${TURNS} turns per graph, zero-latency model, same SqliteSaver)`);
  say("");
  say(
    `Measured after ${WARMUP_TURNS} warm-up turns of each graph on another thread and user, so the windows show the cost of the thread's length, not of a cold process. ` +
      `The warm-up turns themselves (a fresh process): first turn persona ${ms(cold.persona[0])} ms, bare ${ms(cold.bare[0])} ms; ` +
      `turns 2–${WARMUP_TURNS} p50 persona ${ms(quantile(cold.persona.slice(1), 0.5))} ms, bare ${ms(quantile(cold.bare.slice(1), 0.5))} ms.`,
  );
  say("");
  say(
    "| turns | persona p50 / p95 | bare p50 / p95 | added p50 / p95 | ratio p50 | bare + store p50 / p95 | added vs bare + store p50 / p95 | bare, durability exit p50 | persona's structure alone p50 / p95 |",
  );
  say("|---|---|---|---|---|---|---|---|---|");
  for (const [from, to] of WINDOWS) {
    const [p, b, bs, e, s] = ["persona", "bare", "bareStore", "bareExit", "structure"].map((name) => times[name].slice(from, to).flat());
    say(
      `| ${from + 1}–${to} | ${pair(p)} | ${pair(b)} | ${added(p, b)} | ${(quantile(p, 0.5) / quantile(b, 0.5)).toFixed(2)} | ` +
        `${pair(bs)} | ${added(p, bs)} | ${ms(quantile(e, 0.5))} | ${pair(s)} |`,
    );
  }
  const counts = async (thread) => {
    let n = 0;
    for await (const _ of checkpointer.list({ configurable: { thread_id: thread } })) n++;
    return n;
  };
  await new Promise((r) => setTimeout(r, 50)); // let the last collection entries arrive
  const gcShare = (name) => `${ms(gcWithin(spans[name]) / spans[name].length)} ms`;
  say("");
  say(
    "The structure column is the persona graph's shape with empty nodes (three nodes in a row on the persona state, the middle one calling the model, durability exit): " +
      "what LangGraph costs for the node structure before any persona work.",
  );
  say("");
  say(
    "The bare + store column is the bare graph compiled with the same store, which it never uses. A graph compiled with a store runs LangGraph's batching store, which polls on a timer " +
      "and waits for its last tick when the run ends; Node runs the process's pending garbage collection in that idle moment. The bare graph never waits, so in an interleaved run " +
      `the collections of every graph land in the turns of the graphs that wait. Garbage collection inside the timed turns ${WINDOWS[0][0] + 1}–${WINDOWS[0][1]}, per turn: ` +
      `persona ${gcShare("persona")}, bare ${gcShare("bare")}, bare + store ${gcShare("bareStore")}, structure ${gcShare("structure")}.`,
  );
  say("");
  say(
    `Checkpoints written per turn: persona ${((await counts("long-persona-0")) / TURNS).toFixed(1)}, bare ${((await counts("long-bare-0")) / TURNS).toFixed(1)}, ` +
      `bare with durability exit ${((await counts("long-bareExit-0")) / TURNS).toFixed(1)}. ` +
      `Store round trips per ordinary turn (persona): max ${Math.max(...roundTrips)}, mean ${(roundTrips.reduce((a, b) => a + b, 0) / roundTrips.length).toFixed(2)}.`,
  );
  say("");
}

// ---- 2. flat in the user's history --------------------------------------------------------------
async function seedHistory(store, userId, sessions) {
  const memory = new PersonaMemory(store, userId);
  for (let i = 0; i < sessions; i++) {
    await memory.recordTurn({
      sessionId: `old-${i}`,
      threadId: `${userId}-old-${i}`,
      newSession: true,
      turn: { index: 0, messages: [{ role: "user", text: `session ${i}` }, { role: "assistant", text: "ok" }] },
      endSession: true,
    });
    await memory.commitVersion({
      source: "learning",
      sessionIds: [`old-${i}`],
      build: (current) => ({
        persona: { ...current.persona, Pattern: { Usage_Pattern: `asks about topic ${i}` } },
        changes: [{ op: "set", field: "Pattern.Usage_Pattern", value: `asks about topic ${i}`, evidence: `session ${i}` }],
        rejected: [],
      }),
    });
  }
}

async function flatHistory() {
  const { store, checkpointer } = persistence(join(dir, "history.db"));
  const model = scripted();
  const persona = createPersonaGraph({ model, updateEvery: 1000, semanticGuard: false, retention: false }).compile({ checkpointer, store });
  const bare = bareGraph(model, checkpointer);
  const bareStore = bareGraph(model, checkpointer, store);
  const pastCounts = quick ? [10, 300] : [10, 3000];
  const started = now();
  for (const count of pastCounts) await seedHistory(store, `past-${count}`, count);
  say(`## Flat in the user's history (${pastCounts.join(" and ")} learned past sessions; seeded in ${((now() - started) / 1000).toFixed(1)} s; ${HISTORY_TURNS} turns of each graph per row, in threads of 20)`);
  say("");
  say("| past sessions | persona p50 / p95 | bare p50 / p95 | added p50 / p95 | bare + store p50 / p95 | added vs bare + store p50 / p95 |");
  say("|---|---|---|---|---|---|");
  for (const count of pastCounts) {
    const p = [];
    const b = [];
    const bs = [];
    const order = [[persona, p, "p"], [bare, b, "b"], [bareStore, bs, "s"]];
    for (let turn = 0; turn < HISTORY_TURNS; turn++) {
      for (const [graph, list, thread] of turn % 2 ? [...order].reverse() : order) {
        const start = now();
        // Threads of 20 turns, so the row measures the user's history, not the length of one thread.
        await graph.invoke({ messages: [new HumanMessage(`turn ${turn}`)] }, { configurable: { thread_id: `now-${count}-${thread}-${Math.floor(turn / 20)}` }, context: { userId: `past-${count}` } });
        list.push(now() - start);
      }
    }
    say(`| ${count} | ${pair(p)} | ${pair(b)} | ${added(p, b)} | ${pair(bs)} | ${added(p, bs)} |`);
  }
  say("");
}

// ---- 3. model calls --------------------------------------------------------------------------------
async function calls() {
  const { store, checkpointer } = persistence(join(dir, "calls.db"));
  const results = [];
  for (const semanticGuard of [false, true]) {
    const model = new ScriptedChatModel({
      replies: [
        (call) => {
          if (isSemanticGuardCall(call)) return semanticGuardScriptedReply(call);
          if (call.tools.includes("update_persona")) return { content: "", tool_calls: [{ id: "c", name: "update_persona", args: { changes: [{ op: "set", field: "Pattern.Usage_Pattern", value: "asks about trains", evidence: "trains" }] }, type: "tool_call" }] };
          return "ok";
        },
      ],
      repeatLast: true,
    });
    const graph = createPersonaGraph({ model, updateEvery: 3, semanticGuard }).compile({ checkpointer, store });
    const user = `calls-${semanticGuard}`;
    let chatCalls = 0;
    let turns = 0;
    for (let s = 0; s < 9; s++) {
      for (let t = 0; t < 3; t++) {
        const before = model.calls.length;
        await graph.invoke({ messages: [new HumanMessage(`I like trains, turn ${t}`)] }, { configurable: { thread_id: `${user}-${s}` }, context: { userId: user } });
        chatCalls += model.calls.slice(before).filter((c) => !c.tools.includes("update_persona") && !isSemanticGuardCall(c)).length;
        turns++;
      }
      await graph.invoke({ endSession: true }, { configurable: { thread_id: `${user}-${s}` }, context: { userId: user } });
    }
    const learnerCalls = model.calls.length - chatCalls;
    results.push({ semanticGuard, chatPerTurn: chatCalls / turns, learningPerSession: learnerCalls / 9 });
  }
  say("## Model calls (k = 3, 9 sessions of 3 turns, no tools)");
  say("");
  for (const r of results) {
    say(`- semantic guard ${r.semanticGuard ? "on" : "off"}: ${r.chatPerTurn.toFixed(2)} chat-model calls per turn (the guard's and learner's calls are counted apart), ${r.learningPerSession.toFixed(2)} learning calls per ended session`);
  }
  say("");
}

// ---- 4. concurrency ----------------------------------------------------------------------------
async function concurrency() {
  const USERS = 50;
  const TURNS_EACH = quick ? 4 : 10;
  const LATENCY = 50;
  const { store, checkpointer } = persistence(join(dir, "concurrency.db"));
  const model = scripted(LATENCY);
  const persona = createPersonaGraph({ model, updateEvery: 3, semanticGuard: false }).compile({ checkpointer, store });
  const bare = bareGraph(model, checkpointer);
  const bareStore = bareGraph(model, checkpointer, store);
  const run = async (graph, label) => {
    const latencies = [];
    const start = now();
    await Promise.all(
      Array.from({ length: USERS }, async (_, u) => {
        for (let t = 0; t < TURNS_EACH; t++) {
          const s = now();
          await graph.invoke({ messages: [new HumanMessage(`user ${u} turn ${t}`)] }, { configurable: { thread_id: `${label}-${u}` }, context: { userId: `${label}-${u}` } });
          latencies.push(now() - s);
        }
      }),
    );
    const seconds = (now() - start) / 1000;
    const throughput = (USERS * TURNS_EACH) / seconds;
    return { throughput, ideal: (USERS * 1000) / LATENCY, p95: quantile(latencies, 0.95) };
  };
  // Warm every code path once, so no graph's timed runs include its first, cold turns.
  await run(bare, "warm-bare");
  await run(bareStore, "warm-bareStore");
  await run(persona, "warm-persona");
  // Rounds of one run per graph, the order rotated each round; a ratio compares runs of one round.
  const ROUNDS = quick ? 2 : 6;
  const graphs = { bare, bareStore, persona };
  const results = { bare: [], bareStore: [], persona: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const names = Object.keys(graphs);
    for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
      results[name].push(await run(graphs[name], `${name}-${round}`));
    }
  }
  const median = (list) => quantile(list, 0.5);
  const row = (label, name) => {
    const throughput = median(results[name].map((r) => r.throughput));
    return `| ${label} | ${throughput.toFixed(0)} | ${((100 * throughput) / results[name][0].ideal).toFixed(0)} % | ${ms(median(results[name].map((r) => r.p95)))} |`;
  };
  const ratios = (base) => results.persona.map((r, i) => (100 * r.throughput) / results[base][i].throughput).sort((a, b) => a - b);
  const ratioText = (base) => {
    const list = ratios(base);
    return `${median(list).toFixed(0)} % (rounds: ${list[0].toFixed(0)}–${list.at(-1).toFixed(0)} %)`;
  };
  say(`## ${USERS} concurrent users, ${LATENCY} ms model, ${TURNS_EACH} turns each (${ROUNDS} rounds of one run per graph, order rotated; medians)`);
  say("");
  say("| graph | turns/s | share of ideal | p95 ms |");
  say("|---|---|---|---|");
  say(row("bare", "bare"));
  say(row("bare + store", "bareStore"));
  say(row("persona", "persona"));
  say("");
  say(
    `Persona throughput is ${ratioText("bare")} of the bare graph's, ${ratioText("bareStore")} of the bare graph with the store ` +
      `(ideal: ${results.bare[0].ideal.toFixed(0)} turns/s).`,
  );
  say("");
}

// ---- 5. PersonaMemory compare-and-swap and the store ------------------------------------------
async function memoryCommits() {
  const store = new SqliteStore(join(dir, "commits.db"));
  const users = 1000;
  const seconds = quick ? 1 : 2;
  const memories = Array.from({ length: users }, (_, i) => new PersonaMemory(store, `cas-${i}`));
  let n = 0;
  const commit = async () => {
    const memory = memories[n++ % users];
    await memory.commitVersion({
      source: "manual",
      build: (current) => ({
        persona: { Pattern: { Usage_Pattern: `value ${n}` } },
        changes: [{ op: "set", field: "Pattern.Usage_Pattern", value: `value ${n}`, evidence: "bench" }],
        rejected: [],
      }),
    });
  };
  const rate = async (op) => {
    const end = now() + seconds * 1000;
    let count = 0;
    while (now() < end) {
      await op();
      count++;
    }
    return count / seconds;
  };
  await rate(commit);
  const commits = await rate(commit);
  const reads = await rate(() => memories[n++ % users].load());
  say(`## PersonaMemory on SQLite (${users} users, sequential)`);
  say("");
  say(`commitVersion: ${commits.toFixed(0)} commits/s; load: ${reads.toFixed(0)} reads/s (each parses the document against the persona schema).`);
  say("");
  store.close();
  const figures = await measureStoreThroughput({ seconds: quick ? 0.5 : 1, rounds: quick ? 2 : 3, postgres: flags["no-postgres"] ? false : undefined });
  say("## The store next to raw database writes");
  say("");
  say("```");
  for (const line of formatStoreThroughput(figures).split("\n")) say(line);
  say("```");
  say("");
}

// ---- 6. prompt tokens by session index ---------------------------------------------------------
function bm25Top(query, docs, top) {
  const words = (text) => (text.toLowerCase().match(/[a-z0-9]+|[\u3400-\u9fff]/g) ?? []);
  const q = new Set(words(query));
  return docs
    .map((doc, i) => ({ i, score: words(doc).filter((w) => q.has(w)).length }))
    .sort((a, b) => b.score - a.score)
    .slice(0, top)
    .map((d) => docs[d.i]);
}

function promptTokens() {
  const sample = join(root, "..", "shared", "personabench", "raw");
  say("## Prompt tokens by session index (PersonaBench sample)");
  say("");
  if (!existsSync(sample)) {
    say(`No PersonaBench sample at ${sample}: skipped.`);
    say("");
    return;
  }
  const { personas } = loadPersonaBench(sample);
  const indices = [1, 10, 30];
  const sums = Object.fromEntries(indices.map((i) => [i, { persona: 0, full: 0, rag: 0 }]));
  let blockMax = 0;
  for (const persona of personas) {
    const values = personaFromPersonaBench(persona.golden).persona;
    blockMax = Math.max(blockMax, countTokens(renderPersona(values, defaultPersonaSchema)));
    // Sessions: the persona's scenes in order, repeated, each a query and the expected reply.
    const sessions = Array.from({ length: 30 }, (_, i) => {
      const scene = persona.scenes[i % persona.scenes.length];
      return `User: ${scene.personalizedQuery}\nAssistant: ${scene.expectedResponse}`;
    });
    const withPersona = buildChatbotSystemPrompt({ instructions: undefined, schema: defaultPersonaSchema }, { persona: values, scene: null });
    const plain = buildChatbotSystemPrompt({ instructions: undefined, schema: defaultPersonaSchema }, { persona: null, scene: null });
    for (const index of indices) {
      const current = sessions[index - 1];
      const past = sessions.slice(0, index - 1);
      sums[index].persona += countTokens(`${withPersona}\n${current}`);
      sums[index].full += countTokens(`${plain}\n${past.join("\n\n")}\n${current}`);
      sums[index].rag += countTokens(`${plain}\n${bm25Top(current, past, 2).join("\n\n")}\n${current}`);
    }
  }
  say(`${personas.length} personas; a session is one scene's query and expected reply; sessions repeat the scenes in order. Mean prompt tokens (o200k):`);
  say("");
  say("| session | persona | full history | RAG (2 sessions) | full / persona |");
  say("|---|---|---|---|---|");
  for (const index of indices) {
    const s = sums[index];
    const n = personas.length;
    say(`| ${index} | ${(s.persona / n).toFixed(0)} | ${(s.full / n).toFixed(0)} | ${(s.rag / n).toFixed(0)} | ${(s.full / s.persona).toFixed(1)}× |`);
  }
  say("");
  say(`Largest rendered persona block on the sample: ${blockMax} tokens (bound: 600).`);
  say("");
}

// ---- 7. storage per user -----------------------------------------------------------------------
function fileBytes(db) {
  db.pragma("wal_checkpoint(TRUNCATE)");
  const pages = db.pragma("page_count", { simple: true });
  const free = db.pragma("freelist_count", { simple: true });
  return (pages - free) * db.pragma("page_size", { simple: true });
}

async function storage() {
  const TURNS_PER_SESSION = 5;
  const configs = [
    ["bare graph", null],
    ["persona, default retention", undefined],
    ["persona, keepThreads: 20", { keepThreads: 20 }],
    ["persona, retention: false", false],
  ];
  say(`## Storage per user (${TURNS_PER_SESSION} turns a session, one thread a session, k = 3; live pages after a WAL checkpoint)`);
  say("");
  say(`| graph | ${SESSION_COUNTS.map((n) => `after ${n} sessions`).join(" | ")} | bytes per session at ${SESSION_COUNTS.at(-1)} |`);
  say(`|---|${SESSION_COUNTS.map(() => "---").join("|")}|---|`);
  for (const [label, retention] of configs) {
    const cells = [];
    let perSession = 0;
    for (const sessions of SESSION_COUNTS) {
      const file = join(dir, `storage-${label.replace(/\W+/g, "-")}-${sessions}.db`);
      const { db, store, checkpointer } = persistence(file);
      const model = scripted();
      const graph =
        retention === null
          ? bareGraph(model, checkpointer)
          : createPersonaGraph({ model, updateEvery: 3, semanticGuard: false, ...(retention !== undefined ? { retention } : {}) }).compile({ checkpointer, store });
      for (let s = 0; s < sessions; s++) {
        const config = { configurable: { thread_id: `s${s}` }, context: { userId: "storage" } };
        for (let t = 0; t < TURNS_PER_SESSION; t++) {
          await graph.invoke({ messages: [new HumanMessage(`session ${s}, turn ${t}: a question of about this length, asked in full`)] }, config);
        }
        if (retention !== null) await graph.invoke({ endSession: true }, config);
      }
      const bytes = fileBytes(db);
      cells.push(`${(bytes / 1024).toFixed(0)} KiB`);
      perSession = bytes / sessions;
      db.close();
    }
    say(`| ${label} | ${cells.join(" | ")} | ${(perSession / 1024).toFixed(1)} KiB |`);
  }
  say("");
}

// ---- run ---------------------------------------------------------------------------------------
const started = now();
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
say("# Benchmarks");
say("");
say(`Measured by \`npm run bench:perf${quick ? " -- --quick" : ""}\` on ${new Date().toISOString().slice(0, 10)}: ${machine}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")}.`);
say(
  "Every figure compares the persona graph with a bare LangGraph graph (MessagesAnnotation, one chatbot node) in the same process, on the same checkpointer, turns interleaved; " +
    "the timing figures also with the bare graph compiled with the same store (bare + store).",
);
say("");
try {
  await perTurn();
  await flatHistory();
  await calls();
  await concurrency();
  await memoryCommits();
  promptTokens();
  await storage();
  say(`Run time ${((now() - started) / 1000).toFixed(0)} s; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(" ")}.`);
  writeFileSync(OUT, `${lines.join("\n")}\n`);
  console.error(`wrote ${OUT}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
