/**
 * Progress of a run: a redrawn bar on a terminal, one plain line per finished
 * unit otherwise (logs, CI).
 */
export class Progress {
  private done = 0;
  private failed = 0;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly unit: string,
    private readonly tty = Boolean(stream.isTTY),
  ) {}

  /** Marks units finished before this run (resumed). */
  skip(count: number): void {
    this.done += count;
  }

  tick(label: string, ok = true): void {
    this.done++;
    if (!ok) this.failed++;
    if (this.tty) this.draw(label);
    else this.stream.write(`[${this.done}/${this.total}] ${ok ? "" : "FAILED "}${label}\n`);
  }

  /** A message that must not be overwritten by the bar. */
  note(text: string): void {
    if (this.tty) this.stream.write(`\r\x1b[K${text}\n`);
    else this.stream.write(`${text}\n`);
  }

  private draw(label: string): void {
    const width = 24;
    const filled = this.total ? Math.round((this.done / this.total) * width) : width;
    const seconds = ((Date.now() - this.started) / 1000).toFixed(0);
    const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${this.done}/${this.total} ${this.unit}${
      this.failed ? `, ${this.failed} failed` : ""
    } ${seconds}s  ${label}`;
    const columns = this.stream.columns ?? 100;
    this.stream.write(`\r\x1b[K${line.slice(0, columns - 1)}`);
  }

  end(): void {
    if (this.tty) this.stream.write("\n");
  }
}
