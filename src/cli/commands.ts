import type { CliCommand } from "./command.js";
import { chatCommand } from "./chat.js";
import { showCommand } from "./show.js";

/** Every `persona` subcommand, in the order `persona --help` lists them. */
export const COMMANDS: CliCommand[] = [chatCommand, showCommand];
