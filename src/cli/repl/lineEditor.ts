import { createInterface, type Interface } from "node:readline";
import { appendPromptHistory, loadPromptHistory, PROMPT_HISTORY_SIZE } from "./promptHistory.js";
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON, NEWLINE_MARK, TerminalInput, type RawTerminal } from "./terminalInput.js";

export interface LineEditorOptions {
  input: RawTerminal;
  output: NodeJS.WritableStream;
  /** The history file, or null to keep history for this run only. */
  historyFile: string | null;
  /** Longest message (pastes that would exceed it are refused whole). */
  maxChars: number;
  prompt?: string;
  /** Prompt for the next line of a message continued with a trailing "\". */
  continuationPrompt?: string;
}

/**
 * The terminal side of `persona chat`: Node's readline in terminal mode (line
 * editing, Up/Down history saved per user), bracketed paste (a multi-line
 * paste is one message; one over the limit is refused with a warning), a
 * trailing "\" to continue a message on the next line, and Ctrl-C: at the
 * prompt it clears the line, twice on an empty line it quits; during
 * {@link LineEditor.busy} it aborts the work. Ctrl-D on an empty line quits.
 */
export class LineEditor {
  private readonly terminal: TerminalInput;
  private readonly rl: Interface;
  private readonly lines: string[] = [];
  private waiter: ((line: string | null) => void) | undefined;
  private closed = false;
  private quitArmed = false;
  private continued: string[] = [];
  private running: AbortController | undefined;
  private lastSaved: string | undefined;
  private readonly restoreTerminal = () => this.options.output.write(BRACKETED_PASTE_OFF);
  private readonly onSignal = () => (this.running ? this.running.abort() : this.interruptAtPrompt());

  constructor(private readonly options: LineEditorOptions) {
    this.terminal = new TerminalInput(options.input, {
      maxChars: options.maxChars,
      currentLength: () => this.continued.reduce((sum, line) => sum + line.length + 1, 0) + this.rl.line.length,
      onInterrupt: () => this.running?.abort(),
      onPaste: (outcome) => {
        if (!outcome.inserted) {
          this.noteAbovePrompt(
            `persona: paste refused: the message would have ${outcome.chars} characters; the limit is ${outcome.limit}. Nothing was inserted; split it into smaller messages.`,
          );
        } else if (outcome.droppedControls > 0) {
          this.noteAbovePrompt(`persona: ${outcome.droppedControls} control characters were left out of the paste`);
        }
      },
    });
    const history = options.historyFile ? loadPromptHistory(options.historyFile) : [];
    this.rl = createInterface({
      input: this.terminal.stream,
      output: options.output,
      terminal: true,
      history,
      historySize: PROMPT_HISTORY_SIZE,
      removeHistoryDuplicates: true,
      prompt: options.prompt ?? "you> ",
    });
    this.lastSaved = history[0];
    this.rl.on("history", (entries: string[]) => this.save(entries[0]));
    this.rl.on("line", (line) => this.deliver(line));
    this.rl.on("close", () => {
      this.closed = true;
      this.waiter?.(null);
      this.waiter = undefined;
    });
    this.rl.on("SIGINT", () => this.interruptAtPrompt());
    // A SIGINT from outside (kill -INT) acts like Ctrl-C: the terminal is raw, so the keyboard sends none.
    process.on("SIGINT", this.onSignal);
    options.output.write(BRACKETED_PASTE_ON);
    process.once("exit", this.restoreTerminal);
  }

  /**
   * Shows the prompt and waits for the next message: a line, or several joined
   * by a trailing "\" or pasted together (line breaks kept).
   * @returns the message, or null when the user quit (Ctrl-D, Ctrl-C twice)
   */
  async read(): Promise<string | null> {
    for (;;) {
      const queued = this.lines.shift();
      const line =
        queued !== undefined
          ? queued
          : this.closed
            ? null
            : await new Promise<string | null>((resolve) => {
                this.waiter = resolve;
                this.rl.setPrompt(this.continued.length ? (this.options.continuationPrompt ?? "...> ") : (this.options.prompt ?? "you> "));
                this.rl.prompt();
                // Keys typed while the last reply streamed now land on this prompt.
                this.terminal.releaseTypeAhead();
              });
      if (line === null) return null;
      const text = line.split(NEWLINE_MARK).join("\n");
      if (text.endsWith("\\")) {
        this.continued.push(text.slice(0, -1));
        continue;
      }
      const message = [...this.continued, text].join("\n");
      this.continued = [];
      return message;
    }
  }

  /**
   * Runs `work` while the prompt is away: typed keys wait for the next prompt,
   * and Ctrl-C aborts `work`'s signal.
   * @param work the work, given the signal to abort on
   * @returns what `work` returns
   */
  async busy<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.running = controller;
    this.terminal.busy = true;
    try {
      return await work(controller.signal);
    } finally {
      this.running = undefined;
      this.terminal.busy = false;
    }
  }

  /** Gives the terminal back (normal mode, no bracketed paste). */
  close(): void {
    this.rl.close();
    this.terminal.close();
    this.restoreTerminal();
    process.removeListener("exit", this.restoreTerminal);
    process.removeListener("SIGINT", this.onSignal);
    // Let the process end: nothing reads the terminal any more.
    (this.options.input as NodeJS.ReadableStream & { pause?: () => void }).pause?.();
  }

  private deliver(line: string): void {
    this.quitArmed = false;
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter(line);
    } else this.lines.push(line);
  }

  private save(entry: string | undefined): void {
    if (!entry || entry === this.lastSaved || !this.options.historyFile) return;
    this.lastSaved = entry;
    try {
      appendPromptHistory(this.options.historyFile, entry);
    } catch (error) {
      // History is a convenience: say once why it is not saved, and go on.
      this.noteAbovePrompt(`persona: warning: prompt history not saved to ${this.options.historyFile}: ${(error as Error).message}`);
      this.options.historyFile = null;
    }
  }

  private interruptAtPrompt(): void {
    const editing = this.rl.line.length > 0 || this.continued.length > 0;
    if (editing) {
      this.quitArmed = false;
      this.continued = [];
      // Move to the end, delete to the start of the line, then start afresh below it.
      this.rl.write(null, { ctrl: true, name: "e" });
      this.rl.write(null, { ctrl: true, name: "u" });
      this.options.output.write("^C\n");
      this.rl.setPrompt(this.options.prompt ?? "you> ");
      this.rl.prompt();
      return;
    }
    if (this.quitArmed) {
      this.options.output.write("^C\n");
      this.rl.close();
      return;
    }
    this.quitArmed = true;
    this.options.output.write("^C\n(press Ctrl-C again or Ctrl-D to quit)\n");
    this.rl.prompt();
  }

  private noteAbovePrompt(text: string): void {
    this.options.output.write(`\n${text}\n`);
    if (!this.terminal.busy && !this.closed) this.rl.prompt(true);
  }
}
