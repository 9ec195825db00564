/**
 * Names of the benchmark protocols (`--protocol`).
 * @example
 * const protocol = PROTOCOLS["release" satisfies ProtocolName];
 */
export type ProtocolName = "default" | "release";

/**
 * What a protocol fixes about a run: the turn cap, who sees what, how the
 * learning conditions learn, and when the simulated user is satisfied.
 * @example
 * const { turnCap }: BenchProtocol = parseProtocol("release");
 */
export interface BenchProtocol {
  name: ProtocolName;
  /** Most chatbot replies per scene (`--turns` overrides it). */
  turnCap: number;
  /** Temperature of the simulated user; undefined: the endpoint's default. */
  userTemperature?: number;
  /** What a learning condition's persona is before its first scene. */
  learningStart: "empty" | "golden";
  /** Persona groups the learner may never change. */
  frozenGroups: string[];
  /**
   * When a learning condition learns. "every-k": the graph learns inline once
   * k ended sessions are waiting. "release": after scene n when k divides n,
   * and after each of the episode's last three scenes.
   */
  schedule: "every-k" | "release";
  /** The sessions one learning run reads: the last `sessions` waiting ones, each at most `messages` messages. */
  window?: { sessions: number; messages: number };
  /** The chatbot sees the scene's description and the documentation of its APIs. */
  sceneToChatbot: boolean;
  /**
   * "expected-response": the simulated user is satisfied when the reply meets
   * the scene's expected response. "reference": the expected response is shown
   * as another assistant's answer for reference; the user decides from the
   * persona, the scene and the conversation.
   */
  satisfaction: "expected-response" | "reference";
}

/**
 * The two protocols. `default` is the project's own: learning from an empty
 * persona, no scene for the chatbot. `release` follows the settings of the
 * paper's released code (tml1026/Lifelong-Personalized-Agent).
 *
 * @example
 * ```ts no-run
 * const { turnCap } = PROTOCOLS.release; // 3
 * ```
 */
export const PROTOCOLS: Record<ProtocolName, BenchProtocol> = {
  default: {
    name: "default",
    turnCap: 5,
    learningStart: "empty",
    frozenGroups: [],
    schedule: "every-k",
    sceneToChatbot: false,
    satisfaction: "expected-response",
  },
  release: {
    name: "release",
    turnCap: 3,
    userTemperature: 0.9,
    learningStart: "golden",
    frozenGroups: ["Demographics"],
    schedule: "release",
    window: { sessions: 3, messages: 9 },
    sceneToChatbot: true,
    satisfaction: "reference",
  },
};

/**
 * Reads `--protocol`.
 *
 * @param text - "default" or "release"; undefined means "default".
 * @returns The protocol.
 * @example
 * ```ts no-run
 * parseProtocol("release").schedule; // "release"
 * ```
 */
export function parseProtocol(text: string | undefined): BenchProtocol {
  const name = (text ?? "default").trim();
  if (name !== "default" && name !== "release") {
    throw new Error(`unknown protocol "${name}": use default or release`);
  }
  return PROTOCOLS[name];
}

/**
 * One line per setting, both protocols side by side (README and report).
 * @returns one row per setting with its value under each protocol
 * @example
 * for (const row of protocolTable()) console.log(`${row.setting}: ${row.default} / ${row.release}`);
 */
export function protocolTable(): Array<{ setting: string; default: string; release: string }> {
  const d = PROTOCOLS.default;
  const r = PROTOCOLS.release;
  const start = (p: BenchProtocol) =>
    p.learningStart === "golden"
      ? `golden persona${p.frozenGroups.length ? `, ${p.frozenGroups.join(", ")} frozen` : ""}`
      : "empty persona";
  const schedule = (p: BenchProtocol) =>
    p.schedule === "every-k"
      ? "inline, once k ended sessions wait"
      : "after scene n when k divides n, and after each of the last 3 scenes";
  const window = (p: BenchProtocol) =>
    p.window ? `last ${p.window.sessions} waiting sessions, ≤ ${p.window.messages} messages each` : "every waiting session (≤ 10)";
  return [
    { setting: "chatbot replies per scene", default: String(d.turnCap), release: String(r.turnCap) },
    {
      setting: "simulated-user temperature",
      default: d.userTemperature === undefined ? "endpoint default" : String(d.userTemperature),
      release: r.userTemperature === undefined ? "endpoint default" : String(r.userTemperature),
    },
    { setting: "learning starts from", default: start(d), release: start(r) },
    { setting: "learning schedule", default: schedule(d), release: schedule(r) },
    { setting: "learning window", default: window(d), release: window(r) },
    {
      setting: "chatbot sees the scene",
      default: d.sceneToChatbot ? "description and API docs" : "no (only the user's messages)",
      release: r.sceneToChatbot ? "description and API docs" : "no (only the user's messages)",
    },
    {
      setting: "user is satisfied when",
      default: "the reply meets the expected response",
      release: "the user judges; expected response shown as a reference",
    },
  ];
}
