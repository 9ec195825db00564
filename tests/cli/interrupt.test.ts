import { PassThrough } from "node:stream";
import { stopOnInterrupt } from "../../src/cli/interrupt.js";

describe("stopOnInterrupt (Ctrl-C for bench and generate)", () => {
  function errors() {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (chunk) => (text += chunk));
    return { stream, text: () => text };
  }

  it("the first Ctrl-C prints the notice and aborts the signal; the handler is gone afterwards", async () => {
    const before = process.listenerCount("SIGINT");
    const err = errors();
    const result = await stopOnInterrupt({ errors: err.stream }, "persona test: stopping after the work in flight", async (signal) => {
      expect(process.listenerCount("SIGINT")).toBe(before + 1);
      expect(signal.aborted).toBe(false);
      process.emit("SIGINT");
      expect(signal.aborted).toBe(true);
      return "finished";
    });
    expect(result).toBe("finished");
    expect(err.text()).toBe("\npersona test: stopping after the work in flight\n");
    expect(process.listenerCount("SIGINT")).toBe(before);
  });

  it("a second Ctrl-C exits with 130; a failing body still removes the handler", async () => {
    const before = process.listenerCount("SIGINT");
    const exit = jest.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    try {
      await expect(
        stopOnInterrupt({ errors: errors().stream }, "stopping", async () => {
          process.emit("SIGINT");
          expect(exit).not.toHaveBeenCalled();
          process.emit("SIGINT");
          throw new Error("body failed");
        }),
      ).rejects.toThrow("body failed");
      expect(exit).toHaveBeenCalledWith(130);
    } finally {
      exit.mockRestore();
    }
    expect(process.listenerCount("SIGINT")).toBe(before);
  });
});
