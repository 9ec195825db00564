#!/usr/bin/env node
// Smoke run of `persona bench` without a model: starts the deterministic mock
// OpenAI-compatible server (it plays every role) and runs the built CLI against it.
// Usage: npm run build && node scripts/bench-smoke.mjs [persona bench flags...]
// Default flags: --data mini --out bench-smoke. The numbers measure the harness, not a model.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { startMockOpenAIServer } = await import(join(root, "dist/testing/mockOpenAIServer.js"));
const { mockBenchHandler } = await import(join(root, "dist/bench.js"));

const args = process.argv.slice(2);
if (!args.includes("--data")) args.push("--data", "mini");
if (!args.includes("--out")) args.push("--out", "bench-smoke");

const server = await startMockOpenAIServer(mockBenchHandler);
const env = { ...process.env, OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "not-needed" };
for (const key of Object.keys(env)) if (key.startsWith("BENCH_")) delete env[key];
const child = spawn(process.execPath, [join(root, "dist/cli/main.js"), "bench", ...args], { env, stdio: "inherit" });
const code = await new Promise((resolve) => child.on("close", resolve));
await server.close();
process.exit(code ?? 1);
