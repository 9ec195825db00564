/** Where a command reads and writes. */
export interface CommandIO {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  errors: NodeJS.WritableStream;
  /** True when input is a terminal. */
  interactive: boolean;
}

/** One `persona <name>` subcommand. Flags are strings; each command parses its own values. */
export interface CliCommand {
  name: string;
  /** One usage line, e.g. "--user <id> [--db <path>]". */
  usage: string;
  summary: string;
  /** Flag names without "--"; all take a value unless listed in `booleanFlags`. */
  flags: string[];
  booleanFlags?: string[];
  run(values: Record<string, string | boolean | undefined>, io: CommandIO): Promise<void>;
}
