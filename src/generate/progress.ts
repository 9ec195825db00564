import cliProgress from "cli-progress";

/**
 * Progress of a generation run: a cli-progress bar on a terminal (personas
 * done, and the stage each persona in flight is at), one plain line per
 * finished persona otherwise (logs, CI).
 */
export class GenerationProgress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private done = 0;
  private failed = 0;
  private readonly stages = new Map<number, string>();

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    skipped: number,
  ) {
    this.done = skipped;
    if (stream.isTTY) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: stream as NodeJS.WriteStream,
          format: "{bar} {value}/{total} personas{failed} | {stages}",
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, skipped, { stages: "", failed: "" });
    }
  }

  /** A persona in flight reached a stage. */
  stage(slot: number, stage: string): void {
    this.stages.set(slot, stage);
    this.redraw();
  }

  /** A persona finished: written, dropped or failed. */
  finish(slot: number, label: string, ok = true): void {
    this.stages.delete(slot);
    this.done++;
    if (!ok) this.failed++;
    if (this.bar) {
      this.bar.update(this.done, this.payload());
    } else {
      this.stream.write(`[${this.done}/${this.total}] ${ok ? "" : "FAILED "}${label}\n`);
    }
  }

  /** A message that must not be overwritten by the bar. */
  note(text: string): void {
    if (this.bar) {
      this.bar.stop();
      this.stream.write(`${text}\n`);
      this.bar.start(this.total, this.done, this.payload());
    } else {
      this.stream.write(`${text}\n`);
    }
  }

  end(): void {
    this.bar?.stop();
  }

  private payload() {
    const stages = [...this.stages.entries()].map(([slot, stage]) => `#${slot + 1} ${stage}`).join(", ");
    return { stages, failed: this.failed ? `, ${this.failed} failed` : "" };
  }

  private redraw(): void {
    this.bar?.update(this.done, this.payload());
  }
}
