import { execFileSync, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";

/** Whether tmux can be run here (the terminal tests skip without it). */
export const tmuxAvailable = spawnSync("tmux", ["-V"], { stdio: "ignore" }).status === 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One program on a tmux pseudo-terminal, on a private tmux server (-S, its
 * socket beside the exit file), so tests never touch the user's sessions. Keys go in with send-keys; the screen
 * comes back with capture-pane (joined lines, full scrollback).
 */
export class TmuxTerminal {
  private readonly socket: string;
  private closed = false;

  private constructor(
    readonly name: string,
    private readonly exitFile: string,
  ) {
    this.socket = join(dirname(exitFile), `${name}.tmux`);
  }

  /**
   * Starts `command` (run by sh) in a 200x50 terminal; its exit code is written
   * to `exitFile` when it ends, and the pane stays open for a last capture.
   */
  static start(name: string, command: string, env: NodeJS.ProcessEnv, exitFile: string): TmuxTerminal {
    const terminal = new TmuxTerminal(name, exitFile);
    const exports = Object.entries(env)
      .filter(([key, value]) => value !== undefined && /^[A-Z_][A-Z0-9_]*$/.test(key))
      .map(([key, value]) => `${key}='${String(value).replace(/'/g, "'\\''")}'`)
      .join(" ");
    // The shell traps SIGINT (the program itself gets the default), so a Ctrl-C that reaches the
    // whole foreground group does not take the shell, and the exit code, with it.
    const script = `trap : INT; env -i ${exports} TERM=xterm-256color ${command}; echo $? > '${exitFile}'; sleep 600`;
    terminal.tmux(["new-session", "-d", "-s", name, "-x", "200", "-y", "50", "sh", "-c", script]);
    terminal.tmux(["set-option", "-t", name, "history-limit", "20000"]);
    return terminal;
  }

  private tmux(args: string[], input?: string): string {
    return execFileSync("tmux", ["-S", this.socket, ...args], { encoding: "utf8", input });
  }

  /** Sends keys one at a time, as a person types. */
  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) {
      this.tmux(["send-keys", "-t", this.name, key]);
      await sleep(40);
    }
  }

  /** Sends several keys in one write, as a fast typist or a key-repeat burst does. */
  async burst(...keys: string[]): Promise<void> {
    this.tmux(["send-keys", "-t", this.name, ...keys]);
    await sleep(40);
  }

  /** Types text literally (no key names), one chunk. */
  async type(text: string): Promise<void> {
    this.tmux(["send-keys", "-t", this.name, "-l", text]);
    await sleep(40);
  }

  /** Pastes text as a terminal does (bracketed, when the program asked for it). */
  async paste(text: string): Promise<void> {
    this.tmux(["load-buffer", "-b", "test", "-"], text);
    this.tmux(["paste-buffer", "-p", "-d", "-b", "test", "-t", this.name]);
    await sleep(40);
  }

  /** The whole screen and scrollback, wrapped lines joined. */
  screen(): string {
    return this.tmux(["capture-pane", "-p", "-J", "-S", "-", "-t", this.name]);
  }

  /** Waits until the screen matches `pattern` (default 15 s); throws with the screen when it does not. */
  async waitFor(pattern: RegExp | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const test = typeof pattern === "function" ? pattern : (screen: string) => pattern.test(screen);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`terminal never showed ${String(pattern)}; screen:\n${screen}`);
      await sleep(100);
    }
  }

  /** Ends the tmux server. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    spawnSync("tmux", ["-S", this.socket, "kill-server"], { stdio: "ignore" });
    rmSync(this.socket, { force: true });
  }
}
