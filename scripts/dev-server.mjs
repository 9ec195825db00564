#!/usr/bin/env node
// Starts the LangGraph API server (what LangGraph Studio talks to) for the
// graphs in langgraph.json: headless, on 127.0.0.1, analytics and tracing off
// unless set in the environment. Prints "ready <url>" once it answers /ok;
// exits 1 with the server's output if it does not come up in time (a graph
// that fails to import leaves that server running without listening).
//
//   npm run dev -- [--port N] [--host H] [--timeout SECONDS] [--state-dir DIR]
//   env: LANGGRAPH_PORT (default 2025), LANGGRAPH_HOST (default 127.0.0.1),
//        LANGGRAPH_STARTUP_TIMEOUT (seconds, default 90), LANGGRAPH_STATE_DIR
// The server keeps its threads and store in .langgraph_api/ next to the config it
// runs from, across restarts; --state-dir runs it from a copy of langgraph.json in
// DIR instead, so its state lives there (tests use a fresh folder per run).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const projectDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "usage: npm run dev -- [--port N] [--host H] [--timeout SECONDS] [--state-dir DIR]";

function parseArgs(argv) {
  const options = {
    port: process.env.LANGGRAPH_PORT || "2025",
    host: process.env.LANGGRAPH_HOST || "127.0.0.1",
    timeout: process.env.LANGGRAPH_STARTUP_TIMEOUT || "90",
    "state-dir": process.env.LANGGRAPH_STATE_DIR || "",
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const name = flag.replace(/^--/, "");
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    if (!(name in options) || !flag.startsWith("--") || argv[index + 1] === undefined) {
      console.error(`dev server: unknown or incomplete option "${flag}"\n${USAGE}`);
      process.exit(2);
    }
    options[name] = argv[++index];
  }
  for (const name of ["port", "timeout"]) {
    if (!/^[1-9][0-9]*$/.test(options[name])) {
      console.error(`dev server: --${name} must be a positive integer, got "${options[name]}"`);
      process.exit(2);
    }
  }
  return {
    port: Number(options.port),
    host: options.host,
    timeoutMs: Number(options.timeout) * 1000,
    stateDir: options["state-dir"] ? resolve(options["state-dir"]) : undefined,
  };
}

function cliEntry() {
  const require = createRequire(join(projectDir, "package.json"));
  const packageJson = require.resolve("@langchain/langgraph-cli/package.json");
  return join(dirname(packageJson), "dist", "cli", "cli.mjs");
}

async function answersOk(url) {
  try {
    const response = await fetch(`${url}/ok`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** The config to run: the project's, or a copy in stateDir whose graph paths point back here. */
function configPath(stateDir) {
  const projectConfig = join(projectDir, "langgraph.json");
  if (!stateDir) return projectConfig;
  const config = JSON.parse(readFileSync(projectConfig, "utf8"));
  config.dependencies = [projectDir];
  // Relative to the copy: the server resolves graph paths against the config's folder.
  const fromStateDir = (spec) => relative(stateDir, resolve(projectDir, spec)).split(sep).join("/");
  config.graphs = Object.fromEntries(Object.entries(config.graphs).map(([id, spec]) => [id, fromStateDir(spec)]));
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(join(stateDir, "langgraph.json"), `${JSON.stringify(config, null, 2)}\n`);
  return join(stateDir, "langgraph.json");
}

const { port, host, timeoutMs, stateDir } = parseArgs(process.argv.slice(2));
const url = `http://${host}:${port}`;
if (await answersOk(url)) {
  console.error(`dev server: something already answers on ${url}; choose another port with --port or LANGGRAPH_PORT`);
  process.exit(1);
}

const env = {
  ...process.env,
  LANGGRAPH_CLI_NO_ANALYTICS: process.env.LANGGRAPH_CLI_NO_ANALYTICS ?? "1",
  LANGSMITH_TRACING: process.env.LANGSMITH_TRACING ?? "false",
};
const started = Date.now();
// The CLI runs the server in children of its own: give them a process group
// of their own and stop the whole group, so nothing keeps the port.
const cliArgs = ["dev", "--no-browser", "--host", host, "--port", String(port), "--config", configPath(stateDir)];
const server = spawn(process.execPath, [cliEntry(), ...cliArgs], {
  cwd: projectDir,
  env,
  stdio: ["ignore", "pipe", "pipe"],
  detached: true,
});
let log = "";
let ready = false;
const relay = (chunk, stream) => {
  const text = chunk.toString();
  if (!ready) log += text;
  stream.write(text);
};
server.stdout.on("data", (chunk) => relay(chunk, process.stdout));
server.stderr.on("data", (chunk) => relay(chunk, process.stderr));

let stopping = false;
function stop(code) {
  stopping = true;
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {
    // already gone
  }
  process.exitCode = code;
  setTimeout(() => process.exit(code), 3000).unref();
}
process.on("exit", () => {
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {
    // already gone
  }
});
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
server.on("exit", (code, signal) => {
  if (!ready && !stopping) {
    console.error(`\ndev server: exited before it was ready (code ${code}, signal ${signal})`);
    process.exit(1);
  }
  process.exit(stopping ? process.exitCode ?? 0 : code ?? 0);
});

while (!ready) {
  if (await answersOk(url)) {
    ready = true;
    log = "";
    console.log(`ready ${url} (${((Date.now() - started) / 1000).toFixed(1)} s, server process group ${server.pid})`);
    console.log(`Studio: https://smith.langchain.com/studio/?baseUrl=${url}`);
    break;
  }
  if (Date.now() - started > timeoutMs) {
    console.error(
      `\ndev server: no answer on ${url}/ok after ${timeoutMs / 1000} s. ` +
        "A graph that fails to import keeps the server from listening; its output is above.",
    );
    stop(1);
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
