import type { CliCommand } from "./command.js";
import { chatCommand } from "./chat.js";
import { showCommand } from "./show.js";
import { historyCommand } from "./history.js";
import { diffCommand } from "./diff.js";
import { rollbackCommand } from "./rollback.js";
import { exportCommand } from "./export.js";
import { forgetCommand } from "./forget.js";
import { doctorCommand } from "./doctor.js";
import { benchCommand } from "./bench.js";
import { generateCommand } from "./generate.js";
import { guardEvalCommand } from "./guardEval.js";

/** Every `persona` subcommand, in the order `persona --help` lists them. */
export const COMMANDS: CliCommand[] = [chatCommand, showCommand, historyCommand, diffCommand, rollbackCommand, exportCommand, forgetCommand, doctorCommand, benchCommand, generateCommand, guardEvalCommand];
