import { freePort, startDevServer } from "./devServerProcess.js";

// A graph that fails to import leaves the LangGraph server running without
// listening; `npm run dev` must turn that into a clear failure, not a hang.
jest.setTimeout(60_000);

test("npm run dev exits with the server's output when a graph fails to import", async () => {
  const started = Date.now();
  const port = await freePort();
  // An invalid setting makes graphs/settings.ts throw while the server imports the graphs.
  const attempt = startDevServer(port, { PERSONA_UPDATE_EVERY: "every-now-and-then", OPENAI_API_KEY: "unused" }, 8_000);
  await expect(attempt).rejects.toThrow(/did not come up/);
  const message = await attempt.catch((error: Error) => error.message);
  expect(message).toMatch(/PERSONA_UPDATE_EVERY must be a positive integer, got "every-now-and-then"/);
  expect(message).toMatch(/no answer on http:\/\/127\.0\.0\.1:\d+\/ok after 8 s/);
  // Nothing is left holding the port.
  await expect(freePortIs(port)).resolves.toBe(true);
  console.log(`dev server failure path: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

async function freePortIs(port: number): Promise<boolean> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
