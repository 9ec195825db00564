import type { CommandIO } from "./command.js";

/**
 * Runs a long command that stops cleanly on Ctrl-C: the first SIGINT writes
 * `stopping` on the error stream and aborts the signal handed to `body`
 * (work in flight finishes, nothing is lost, a rerun resumes); a second one
 * exits at once with code 130. The handler is removed when `body` settles.
 *
 * @param io where the notice goes (`errors`)
 * @param stopping the one-line notice for the first Ctrl-C, e.g. "persona generate: stopping after the personas in flight (...)"
 * @param body the command; it should stop starting work once the signal aborts
 * @returns what `body` returns
 * @example await stopOnInterrupt(io, "persona bench: stopping after the scenes in flight", (signal) => runBenchCommand(flags, io, signal))
 */
export async function stopOnInterrupt<T>(io: Pick<CommandIO, "errors">, stopping: string, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      io.errors.write(`\n${stopping}\n`);
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on("SIGINT", onInterrupt);
  try {
    return await body(controller.signal);
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}
