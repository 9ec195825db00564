import { PassThrough } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/** Stands for a line break inside one message while it is edited (readline edits a single line). */
export const NEWLINE_MARK = "\u21b5";

const PASTE_START = "\x1b[200~";
const PASTE_END = "\x1b[201~";
const CTRL_C = "\x03";
/** Turn on / off the terminal's bracketed paste mode: pastes arrive between PASTE_START and PASTE_END. */
export const BRACKETED_PASTE_ON = "\x1b[?2004h";
export const BRACKETED_PASTE_OFF = "\x1b[?2004l";

/** What a paste became. */
export type PasteOutcome =
  | { inserted: true; chars: number; lines: number; droppedControls: number }
  | { inserted: false; chars: number; limit: number };

export interface TerminalInputOptions {
  /** Longest message: a paste that would make the line longer is refused whole. */
  maxChars: number;
  /** Length of the line being edited (to check a paste against maxChars). */
  currentLength: () => number;
  /** Ctrl-C pressed while `busy`. */
  onInterrupt: () => void;
  /** Told about every paste. */
  onPaste: (outcome: PasteOutcome) => void;
}

/** The terminal readline needs (a tty.ReadStream in practice). */
export interface RawTerminal extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

/** One key: an escape sequence (CSI, SS3, Alt+key) or one character. */
const KEY = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1bO.|\x1b[\s\S]|[\s\S]/gu;

/** The longest suffix of `text` that begins `marker` (a marker may be split across reads). */
function heldBack(text: string, marker: string): number {
  for (let length = Math.min(marker.length - 1, text.length); length > 0; length--) {
    if (marker.startsWith(text.slice(-length))) return length;
  }
  return 0;
}

/**
 * Sits between the terminal and readline. It turns a bracketed paste into
 * text for the line being edited (line breaks shown as NEWLINE_MARK, so a
 * multi-line paste is one message, not one message per line) and refuses, as
 * a whole, a paste that would make the message longer than `maxChars`. While
 * `busy` (a reply is streaming) keys are held back for readline until the
 * reply ends (see releaseTypeAhead), except Ctrl-C, which calls `onInterrupt` at once.
 */
export class TerminalInput {
  /** Give this to readline as its input. */
  readonly stream: PassThrough & RawTerminal;
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  private paste: string | null = null;
  private typeAhead = "";
  private isBusy = false;
  /** A line was just sent: keys wait until the next prompt asks for them (busy may not be set yet). */
  private awaitingPrompt = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly onData = (chunk: Buffer | string) => this.take(typeof chunk === "string" ? chunk : this.decoder.write(chunk));

  constructor(
    private readonly source: RawTerminal,
    private readonly options: TerminalInputOptions,
  ) {
    const stream = new PassThrough() as PassThrough & RawTerminal;
    stream.isTTY = true;
    // Readline switches the real terminal to raw mode (so Ctrl-C arrives as a key).
    stream.setRawMode = (mode: boolean) => source.setRawMode?.(mode);
    this.stream = stream;
    source.on("data", this.onData);
    source.on("end", () => stream.end());
  }

  /** While true, typed keys wait and Ctrl-C interrupts. */
  get busy(): boolean {
    return this.isBusy;
  }

  set busy(value: boolean) {
    this.isBusy = value;
  }

  /** Hands the keys held back while busy to readline (call once its prompt is shown). */
  releaseTypeAhead(): void {
    if (this.isBusy) return;
    this.awaitingPrompt = false;
    if (!this.typeAhead) return;
    const keys = this.typeAhead;
    this.typeAhead = "";
    this.forward(keys);
  }

  /** Stops reading the terminal. */
  close(): void {
    clearTimeout(this.flushTimer);
    this.source.removeListener("data", this.onData);
    this.stream.end();
  }

  private take(text: string): void {
    clearTimeout(this.flushTimer);
    this.splitPastes(text);
    // A lone Escape (or a key cut across reads) that looked like the start of a paste marker.
    if (this.pending && this.paste === null) {
      this.flushTimer = setTimeout(() => {
        const keys = this.pending;
        this.pending = "";
        this.keys(keys);
      }, 50);
    }
  }

  private splitPastes(text: string): void {
    let rest = this.pending + text;
    this.pending = "";
    while (rest) {
      if (this.paste !== null) {
        const end = rest.indexOf(PASTE_END);
        if (end < 0) {
          const keep = heldBack(rest, PASTE_END);
          this.paste += rest.slice(0, rest.length - keep);
          this.pending = rest.slice(rest.length - keep);
          return;
        }
        this.paste += rest.slice(0, end);
        rest = rest.slice(end + PASTE_END.length);
        this.finishPaste(this.paste);
        this.paste = null;
        continue;
      }
      const start = rest.indexOf(PASTE_START);
      if (start < 0) {
        const keep = heldBack(rest, PASTE_START);
        this.keys(rest.slice(0, rest.length - keep));
        this.pending = rest.slice(rest.length - keep);
        return;
      }
      this.keys(rest.slice(0, start));
      rest = rest.slice(start + PASTE_START.length);
      this.paste = "";
    }
  }

  private keys(text: string): void {
    if (!text) return;
    if (!this.isBusy && !this.awaitingPrompt) {
      this.forward(text);
      return;
    }
    const interrupt = text.lastIndexOf(CTRL_C);
    if (interrupt < 0) {
      this.typeAhead += text;
      return;
    }
    // Ctrl-C cancels the reply and whatever was typed ahead of it.
    this.typeAhead = text.slice(interrupt + 1);
    this.options.onInterrupt();
  }

  /** Hands keys to readline one per read: given several at once, readline mis-edits (seen with Left in a burst). */
  private forward(text: string): void {
    const keys = text.match(KEY) ?? [];
    for (let i = 0; i < keys.length; i++) {
      this.stream.write(keys[i]!);
      if (keys[i] === "\r" || keys[i] === "\n") {
        // Enter sent a line: what follows in the same burst belongs to the next prompt, which
        // shows once the line's work is done (a busy machine delivers Enter and later keys together).
        this.awaitingPrompt = true;
        this.typeAhead = keys.slice(i + 1).join("") + this.typeAhead;
        return;
      }
    }
  }

  private finishPaste(raw: string): void {
    // Trailing line breaks would only end the message; Enter does that.
    const text = raw.replace(/\r\n?/g, "\n").replace(/\n+$/, "");
    let droppedControls = 0;
    // Other control characters would act as keys in the line editor.
    const clean = text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, () => {
      droppedControls++;
      return "";
    });
    const edited = this.isBusy || this.awaitingPrompt ? this.typeAhead.length : this.options.currentLength();
    if (edited + clean.length > this.options.maxChars) {
      this.options.onPaste({ inserted: false, chars: edited + clean.length, limit: this.options.maxChars });
      return;
    }
    const keys = clean.replace(/\n/g, NEWLINE_MARK);
    if (this.isBusy || this.awaitingPrompt) this.typeAhead += keys;
    else this.stream.write(keys);
    this.options.onPaste({ inserted: true, chars: clean.length, lines: clean.split("\n").length, droppedControls });
  }
}
