import type { CliCommand } from "./command.js";

/** A `persona` subcommand by name, imported only when it runs (bench and generate alone take about a second to load). */
export interface CommandEntry {
  name: string;
  load(): Promise<CliCommand>;
}

/** Every `persona` subcommand, in the order `persona --help` lists them. */
export const COMMANDS: CommandEntry[] = [
  { name: "chat", load: async () => (await import("./chat.js")).chatCommand },
  { name: "show", load: async () => (await import("./show.js")).showCommand },
  { name: "history", load: async () => (await import("./history.js")).historyCommand },
  { name: "diff", load: async () => (await import("./diff.js")).diffCommand },
  { name: "rollback", load: async () => (await import("./rollback.js")).rollbackCommand },
  { name: "export", load: async () => (await import("./export.js")).exportCommand },
  { name: "forget", load: async () => (await import("./forget.js")).forgetCommand },
  { name: "doctor", load: async () => (await import("./doctor.js")).doctorCommand },
  { name: "bench", load: async () => (await import("./bench.js")).benchCommand },
  { name: "generate", load: async () => (await import("./generate.js")).generateCommand },
  { name: "guard-eval", load: async () => (await import("./guardEval.js")).guardEvalCommand },
];
