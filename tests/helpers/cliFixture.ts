import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockOpenAIServer, type MockHandler, type MockOpenAIServer } from "../../src/testing/mockOpenAIServer.js";
import { ruleBasedHandler } from "./ruleBasedModelServer.js";
import { assertCliBuilt } from "./runBuiltCli.js";

/** What a CLI end-to-end suite runs against: a mock OpenAI-compatible server, a scratch folder and the CLI's environment. */
export interface CliFixture {
  readonly server: MockOpenAIServer;
  readonly dir: string;
  /** The caller's environment without their persona settings or API key, pointed at the mock server. */
  readonly env: NodeJS.ProcessEnv;
}

/** Settings of the developer's shell that would change what the CLI under test does. */
const CALLER_SETTINGS = ["OPENAI_API_KEY", "PERSONA_DB", "PERSONA_MODEL", "PERSONA_SEMANTIC_GUARD"];

/**
 * Registers the suite's beforeAll/afterAll: checks the CLI is built, starts the
 * mock server (`handler`, by default the rule-based one) and a scratch folder
 * named after `prefix`, and removes both afterwards. Read the fields inside
 * hooks and tests.
 */
export function useCliFixture(prefix: string, options: { handler?: MockHandler; env?: NodeJS.ProcessEnv } = {}): CliFixture {
  let server: MockOpenAIServer | undefined;
  let dir: string | undefined;
  let env: NodeJS.ProcessEnv | undefined;
  beforeAll(async () => {
    assertCliBuilt();
    server = await startMockOpenAIServer(options.handler ?? ruleBasedHandler);
    dir = mkdtempSync(join(tmpdir(), prefix));
    const rest = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CALLER_SETTINGS.includes(name)));
    env = { ...rest, OPENAI_BASE_URL: server.url, ...options.env };
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useCliFixture: read the fixture inside a hook or a test");
    return value;
  };
  return {
    get server() {
      return ready(server);
    },
    get dir() {
      return ready(dir);
    },
    get env() {
      return ready(env);
    },
  };
}
