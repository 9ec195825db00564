import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { keepCancelledReply } from "../graph/cancelledReply.js";
import { createPersonaGraph } from "../graph/createPersonaGraph.js";
import { resolvePersonaSettings } from "../graph/options.js";
import { PERSONA_UPDATE, PERSONALIZED_CHATBOT, SESSION_RECORDER } from "../graph/routes.js";
import type { PersonaGraphStateType } from "../graph/state.js";
import { messageText } from "../render/messageText.js";
import { PersonaMemory } from "../memory/personaMemory.js";
import type { RetentionPolicy } from "../memory/retention.js";
import { createChatModelFromEnv, resolveModelEndpoint } from "../models/openaiCompatible.js";
import type { CliCommand, CommandIO } from "./command.js";
import { CommandFailedError, UsageError } from "./errors.js";
import { checkMessageText, checkThreadId } from "../graph/input.js";
import { openCliPersistence } from "./persistence.js";
import { parseOnOff, parsePositiveInteger, promptHistoryEnabled, requireUser, resolveDbPath } from "./settings.js";
import { describeEndpointError, isEndpointError } from "./repl/endpointError.js";
import { LineEditor } from "./repl/lineEditor.js";
import { promptHistoryPath } from "./repl/promptHistory.js";
import type { RawTerminal } from "./repl/terminalInput.js";

export interface ChatOptions {
  user?: string;
  thread?: string;
  db?: string;
  updateEvery?: string;
  model?: string;
  /** "on" or "off"; default: PERSONA_SEMANTIC_GUARD, else on. */
  semanticGuard?: string;
  /** Keep no prompt history file (also PERSONA_HISTORY=off). */
  noHistory?: boolean;
  /** "off" keeps everything (`retention: false`); default on, with the graph's defaults. */
  retention?: string;
  /** `retention.keepThreads`: delete the user's threads older than the N most recent learned ones. */
  keepThreads?: string;
  /** `retention.keepTranscripts`. */
  keepTranscripts?: string;
  /** `retention.keepVersions`. */
  keepVersions?: string;
}

/** The graph's `retention` option from the chat's flags. */
function retentionFromFlags(options: ChatOptions): RetentionPolicy | false | undefined {
  const on = parseOnOff("--retention", options.retention);
  const policy: RetentionPolicy = {};
  const keepThreads = parsePositiveInteger("--keep-threads", options.keepThreads);
  const keepTranscripts = parsePositiveInteger("--keep-transcripts", options.keepTranscripts);
  const keepVersions = parsePositiveInteger("--keep-versions", options.keepVersions);
  if (keepThreads !== undefined) policy.keepThreads = keepThreads;
  if (keepTranscripts !== undefined) policy.keepTranscripts = keepTranscripts;
  if (keepVersions !== undefined) policy.keepVersions = keepVersions;
  if (on === false) {
    if (Object.keys(policy).length) throw new UsageError("--retention off keeps everything: it cannot be combined with --keep-threads, --keep-transcripts or --keep-versions");
    return false;
  }
  return Object.keys(policy).length ? policy : undefined;
}

export type ChatIO = CommandIO;

const HELP = `commands: /end  end this session (learning runs if due)
          /new  end this session and start a new thread
          /persona  show what is known about you
          /help  this list
          /exit  end the session and quit (or Ctrl-D)
keys:     Up/Down  earlier messages; Ctrl-C  cancel a reply (twice on an empty line: quit)
          a line ending in \\ continues on the next line; a pasted block is one message`;

const LEARNING_NOW = "ending the session: learning runs now (Ctrl-C skips it)";

/** What became of one message. */
type SendOutcome =
  | { status: "replied" }
  | { status: "refused"; reason: string }
  | { status: "cancelled" }
  | { status: "failed"; reason: string };

/**
 * `persona chat`: a REPL on a terminal (line editing and history, streamed
 * replies, Ctrl-C cancels a reply, slash commands) or, with piped input, one
 * message per line. End of input ends the session, and the process returns
 * only after any learning it triggers is stored. Piped input stops at the
 * first message that cannot be sent, and the command then fails (exit 1).
 */
export async function runChat(options: ChatOptions, io: ChatIO): Promise<void> {
  const userId = requireUser(options.user);
  const updateEvery = parsePositiveInteger("--update-every", options.updateEvery);
  if (options.thread !== undefined) {
    const problem = checkThreadId(options.thread);
    if (problem) throw new UsageError(`invalid --thread: ${problem}`);
  }
  const semanticGuard = parseOnOff("--semantic-guard", options.semanticGuard);
  const retention = retentionFromFlags(options);
  const keepHistory = promptHistoryEnabled(options.noHistory ?? false);
  // Resolve the model first: a missing endpoint must fail before anything is written.
  const endpoint = resolveModelEndpoint({ model: options.model });
  const model = createChatModelFromEnv({ model: options.model });
  const persistence = await openCliPersistence(options.db);
  const graphOptions = {
    model,
    updateEvery,
    ...(semanticGuard !== undefined ? { semanticGuard } : {}),
    ...(retention !== undefined ? { retention } : {}),
  };
  const settings = resolvePersonaSettings(graphOptions);
  const graph = createPersonaGraph(graphOptions).compile({
    checkpointer: persistence.checkpointer,
    store: persistence.store,
  });
  const memory = new PersonaMemory(persistence.store, userId);
  let threadId = options.thread ?? randomUUID();
  const config = () => ({ configurable: { thread_id: threadId }, context: { userId } });
  const say = (text: string) => io.output.write(text);
  const note = (text: string) => io.errors.write(`${text}\n`);
  const stateOf = async () => (await graph.getState(config())).values as PersonaGraphStateType;

  // Unreadable stored rows are left out of the turn; say so once per row, naming it.
  const warned = new Set<string>();
  const warnOnce = (warnings: string[]) => {
    for (const warning of warnings) {
      if (warned.has(warning)) continue;
      warned.add(warning);
      note(`persona: warning: stored row left out (run persona doctor --user ${userId}): ${warning}`);
    }
  };

  const reportLearning = async (before: PersonaGraphStateType["lastLearning"] | undefined) => {
    const learning = (await stateOf()).lastLearning;
    if (!learning || JSON.stringify(learning) === JSON.stringify(before ?? null)) return;
    note(`[persona learning: ${learning.outcome}, version ${learning.version}, ${learning.applied} applied, ${learning.rejected} rejected]`);
  };

  /** Sends one message; on a terminal the reply streams and `signal` cancels it. */
  const send = async (text: string, signal?: AbortSignal): Promise<SendOutcome> => {
    // Checked before the graph runs: a rejected message must not reach the checkpoint.
    const problem = checkMessageText(text, settings.maxMessageChars);
    if (problem) return { status: "refused", reason: problem };
    const before = (await stateOf()).lastLearning;
    let shown = "";
    try {
      if (io.interactive) {
        const stream = await graph.stream({ messages: [new HumanMessage(text)] }, { ...config(), streamMode: "messages", signal });
        for await (const [chunk, metadata] of stream) {
          if ((metadata as { langgraph_node?: string }).langgraph_node !== PERSONALIZED_CHATBOT) continue;
          if (!(chunk instanceof AIMessageChunk)) continue;
          const piece = messageText(chunk);
          shown += piece;
          say(piece);
        }
      }
      if (!shown) {
        // Piped input, or a server that does not stream: print the final reply.
        const state = io.interactive ? await stateOf() : ((await graph.invoke({ messages: [new HumanMessage(text)] }, config())) as PersonaGraphStateType);
        const last = state.messages.at(-1);
        shown = last ? messageText(last) : "";
        say(shown);
      }
      say("\n");
    } catch (error) {
      if (shown) say("\n");
      const cancelled = signal?.aborted === true;
      const next = (await graph.getState(config())).next;
      // A failure in the chatbot's step is the model call's (the server, the network, or what it sent back).
      if (!cancelled && !isEndpointError(error) && !next.includes(PERSONALIZED_CHATBOT)) throw error;
      if (cancelled && next.includes(PERSONA_UPDATE)) {
        // The turn was recorded whole; only the learning run after it was cut off.
        note("[cancelled; the reply is kept, learning did not finish and runs at a later session end]");
        return { status: "cancelled" };
      }
      // Keep exactly what the user saw: the part of the reply shown (marked partial), or nothing.
      const kept = next.includes(SESSION_RECORDER)
        ? // The whole reply was shown; only the recording was cut off.
          (await graph.invoke(null, config()), true)
        : await keepCancelledReply(graph, config(), shown);
      if (cancelled) {
        note(kept ? "[cancelled; the reply as shown is kept in this session]" : "[cancelled; nothing of this message was stored]");
        return { status: "cancelled" };
      }
      const stored = kept ? "the reply as shown is kept" : "nothing of this message was stored";
      return { status: "failed", reason: `${describeEndpointError(error, endpoint)}; ${stored}` };
    }
    warnOnce((await stateOf()).memoryWarnings ?? []);
    await reportLearning(before);
    return { status: "replied" };
  };

  /** Ends the open session, if any; `announce` is said first when this will run learning. */
  const endSession = async (signal?: AbortSignal, announce?: string) => {
    const state = await stateOf();
    if (!state.sessionId || (await memory.getSession(state.sessionId))?.status !== "open") return;
    if (announce && (await memory.pendingSessions()).length + 1 >= settings.updateEvery) note(announce);
    try {
      await graph.invoke({ endSession: true }, { ...config(), signal });
    } catch (error) {
      if (!signal?.aborted) throw error;
      const status = (await memory.getSession(state.sessionId))?.status;
      note(status === "open" ? "[cancelled; the session is still open]" : "[cancelled; the session ended, learning did not finish and runs at a later session end]");
      return;
    }
    await reportLearning(state.lastLearning);
  };

  const showPersona = async () => {
    say(`${JSON.stringify(await memory.load(), null, 2)}\n`);
  };

  /** Runs a slash command; returns "exit" for /exit, or false when `line` is no command. */
  const command = async (line: string, signal?: AbortSignal): Promise<"exit" | boolean> => {
    const name = line.trim();
    if (!name.startsWith("/")) return false;
    if (name === "/exit" || name === "/quit") return "exit";
    if (name === "/help") note(HELP);
    else if (name === "/end") {
      await endSession(signal, LEARNING_NOW);
      note("session ended");
    } else if (name === "/new") {
      await endSession(signal, LEARNING_NOW);
      threadId = randomUUID();
      note(`new thread ${threadId}`);
    } else if (name === "/persona") await showPersona();
    else note(`unknown command ${name}; /help lists them`);
    return true;
  };

  try {
    if (io.interactive) {
      note(`persona chat: user "${userId}", thread ${threadId} (resume with --thread ${threadId}); /help for commands`);
      const editor = new LineEditor({
        input: io.input as RawTerminal,
        output: io.output,
        historyFile: keepHistory ? promptHistoryPath(resolveDbPath(options.db), userId) : null,
        maxChars: settings.maxMessageChars,
      });
      try {
        for (;;) {
          const line = await editor.read();
          if (line === null) break;
          if (line.trim() === "") continue;
          const done = await editor.busy(async (signal) => {
            const handled = await command(line, signal);
            if (handled) return handled === "exit";
            const outcome = await send(line, signal);
            if (outcome.status === "refused" || outcome.status === "failed") note(`persona: ${outcome.reason}`);
            return false;
          });
          if (done) break;
        }
      } finally {
        editor.close();
      }
      // The terminal is back in normal mode: Ctrl-C is a SIGINT again, and skips the learning run.
      const stop = new AbortController();
      const skip = () => {
        // The terminal echoed "^C": end its line.
        io.errors.write("\n");
        stop.abort();
      };
      process.once("SIGINT", skip);
      try {
        await endSession(stop.signal, LEARNING_NOW);
      } finally {
        process.removeListener("SIGINT", skip);
      }
      return;
    }

    const lines = createInterface({ input: io.input, terminal: false, crlfDelay: Infinity });
    let failure: string | undefined;
    try {
      let lineNumber = 0;
      for await (const line of lines) {
        lineNumber++;
        const handled = await command(line);
        if (handled === "exit") break;
        // Blank lines in piped input separate nothing; skip them.
        if (handled || line.trim() === "") continue;
        const outcome = await send(line);
        if (outcome.status === "refused" || outcome.status === "failed") {
          failure = `input line ${lineNumber} not sent: ${outcome.reason}; later lines were not read`;
          break;
        }
      }
    } finally {
      lines.close();
    }
    // What was sent before a failure is a session like any other.
    await endSession();
    if (failure) throw new CommandFailedError(failure);
  } finally {
    await persistence.close();
  }
}

export const chatCommand: CliCommand = {
  name: "chat",
  usage:
    "--user <id> [--thread <id>] [--db <path|postgres-url>] [--update-every <k>] [--model <name>] [--semantic-guard on|off] [--no-history] [--retention on|off] [--keep-threads <n>] [--keep-transcripts <n>] [--keep-versions <n>]",
  summary: "Chat with a persona-aware assistant; one message per line when input is piped.",
  flags: ["user", "thread", "db", "update-every", "model", "semantic-guard", "retention", "keep-threads", "keep-transcripts", "keep-versions"],
  booleanFlags: ["no-history"],
  run: (flags, io) =>
    runChat(
      {
        user: flags.text("user"),
        thread: flags.text("thread"),
        db: flags.text("db"),
        updateEvery: flags.text("update-every"),
        model: flags.text("model"),
        semanticGuard: flags.text("semantic-guard"),
        noHistory: flags.on("no-history"),
        retention: flags.text("retention"),
        keepThreads: flags.text("keep-threads"),
        keepTranscripts: flags.text("keep-transcripts"),
        keepVersions: flags.text("keep-versions"),
      },
      io,
    ),
};
