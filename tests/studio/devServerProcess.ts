import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DevServerProcess {
  url: string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

const PROJECT_DIR = join(__dirname, "..", "..");

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Runs `scripts/dev-server.mjs` (what `npm run dev` runs) and waits for its
 * "ready" line. Rejects with the server's output if it exits or is not ready
 * within `timeoutMs`. `stop` ends the script and the server's process group.
 * The server keeps its state in a fresh folder, removed by `stop`, so runs
 * never see each other's threads or personas.
 */
export async function startDevServer(port: number, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DevServerProcess> {
  const stateDir = mkdtempSync(join(tmpdir(), "persona-dev-server-"));
  const child = spawn(
    process.execPath,
    [
      join(PROJECT_DIR, "scripts", "dev-server.mjs"),
      ...["--port", String(port), "--timeout", String(Math.ceil(timeoutMs / 1000)), "--state-dir", stateDir],
    ],
    { cwd: PROJECT_DIR, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  let serverGroup: number | undefined;
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const stop = async () => {
    killGroup(child.pid, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (!exited(child) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    // The script stops the server's group itself; make sure even if it could not.
    killGroup(serverGroup, "SIGKILL");
    killGroup(child.pid, "SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs + 5_000;
  for (;;) {
    const ready = /ready (\S+) .*server process group (\d+)/.exec(output);
    if (ready) {
      serverGroup = Number(ready[2]);
      return { url, output: () => output, stop };
    }
    if (exited(child) || Date.now() > deadline) {
      await stop();
      throw new Error(`the LangGraph dev server did not come up on ${url}. Its output:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
