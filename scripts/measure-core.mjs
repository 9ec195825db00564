// Prints core figures: persona prompt size for PersonaBench golden personas, and the
// graph's own per-turn overhead on SQLite with an instant scripted model.
// Usage: npm run build && node scripts/measure-core.mjs [path/to/personabench/raw] [turns]
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import {
  countTokens,
  createPersonaGraph,
  defaultPersonaSchema,
  openSqlitePersistence,
  renderPersona,
} from "../dist/index.js";
import { personaFromPersonaBench } from "../dist/bench.js";
import { ScriptedChatModel } from "../dist/testing/index.js";

const sampleDir = resolve(process.argv[2] ?? "../shared/personabench/raw");
const turns = Number(process.argv[3] ?? 200);

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { min: sorted[0], median: at(0.5), p95: at(0.95), max: sorted.at(-1) };
}

if (existsSync(sampleDir)) {
  const tokens = [];
  const chars = [];
  for (const file of readdirSync(sampleDir).filter((f) => f.endsWith(".json"))) {
    const raw = JSON.parse(readFileSync(join(sampleDir, file), "utf8"));
    const { persona } = personaFromPersonaBench(raw);
    const text = renderPersona(persona, defaultPersonaSchema);
    tokens.push(countTokens(text));
    chars.push(text.length);
  }
  console.log(`golden personas rendered: ${tokens.length} files from ${sampleDir}`);
  console.log(`  tokens (o200k_base): ${JSON.stringify(stats(tokens))}`);
  console.log(`  characters:          ${JSON.stringify(stats(chars))}`);
} else {
  console.log(`no PersonaBench sample at ${sampleDir}; skipping persona size`);
}

const dir = mkdtempSync(join(tmpdir(), "persona-measure-"));
try {
  const persistence = openSqlitePersistence(join(dir, "measure.db"));
  const model = new ScriptedChatModel({ replies: ["ok"], repeatLast: true });
  const graph = createPersonaGraph({ model, learning: "background" }).compile(persistence);
  const config = { configurable: { thread_id: "t1" }, context: { userId: "u1" } };
  await graph.invoke({ messages: [new HumanMessage("warm up")] }, config);
  const times = [];
  for (let i = 0; i < turns; i++) {
    const start = process.hrtime.bigint();
    await graph.invoke({ messages: [new HumanMessage(`turn ${i}`)] }, config);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const s = stats(times);
  const fmt = (n) => n.toFixed(2);
  console.log(`graph turn overhead on SQLite (instant model, ${turns} turns in one thread, ms):`);
  console.log(`  min ${fmt(s.min)}  median ${fmt(s.median)}  p95 ${fmt(s.p95)}  max ${fmt(s.max)}`);
  console.log(`  first 20 turns median ${fmt(stats(times.slice(0, 20)).median)}, last 20 median ${fmt(stats(times.slice(-20)).median)}`);
  persistence.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
