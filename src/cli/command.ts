/** Where a command reads and writes. */
export interface CommandIO {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  errors: NodeJS.WritableStream;
  /** True when input is a terminal. */
  interactive: boolean;
}

/** The flags of one invocation, as parsed by `main`. */
export interface CommandFlags {
  /** The value of a flag that takes one (see `flags`), or undefined when absent. */
  text(name: string): string | undefined;
  /** Whether a switch (see `booleanFlags`) was given. */
  on(name: string): boolean;
}

/** One `persona <name>` subcommand. Each command parses its own flag values. */
export interface CliCommand {
  name: string;
  /** One usage line, e.g. "--user <id> [--db <path>]". */
  usage: string;
  summary: string;
  /** Flag names without "--"; all take a value unless listed in `booleanFlags`. */
  flags: string[];
  booleanFlags?: string[];
  run(flags: CommandFlags, io: CommandIO): Promise<void>;
}
