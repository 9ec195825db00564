import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { createPersonaGraph } from "../graph/createPersonaGraph.js";
import { PERSONALIZED_CHATBOT } from "../graph/routes.js";
import type { PersonaGraphStateType } from "../graph/state.js";
import { messageText } from "../render/messageText.js";
import { PersonaMemory } from "../memory/personaMemory.js";
import { createChatModelFromEnv } from "../models/openaiCompatible.js";
import type { CliCommand, CommandIO } from "./command.js";
import { UsageError } from "./errors.js";
import { checkMessageText } from "../graph/input.js";
import { checkThreadId } from "../graph/input.js";
import { openCliPersistence } from "./persistence.js";
import { parseOnOff, parsePositiveInteger, requireUser } from "./settings.js";

export interface ChatOptions {
  user?: string;
  thread?: string;
  db?: string;
  updateEvery?: string;
  model?: string;
  /** "on" or "off"; default: PERSONA_SEMANTIC_GUARD, else on. */
  semanticGuard?: string;
}

export type ChatIO = CommandIO;

const HELP = `commands: /end  end this session (learning runs if due)
          /new  end this session and start a new thread
          /persona  show what is known about you
          /help  this list
          /exit  end the session and quit (or Ctrl-D)`;

/**
 * `persona chat`: a REPL on a terminal (streams replies, slash commands) or,
 * with piped input, one message per line. End of input ends the session, and
 * the process returns only after any learning it triggers is stored.
 */
export async function runChat(options: ChatOptions, io: ChatIO): Promise<void> {
  const userId = requireUser(options.user);
  const updateEvery = parsePositiveInteger("--update-every", options.updateEvery);
  if (options.thread !== undefined) {
    const problem = checkThreadId(options.thread);
    if (problem) throw new UsageError(`invalid --thread: ${problem}`);
  }
  const semanticGuard = parseOnOff("--semantic-guard", options.semanticGuard);
  // Resolve the model first: a missing endpoint must fail before anything is written.
  const model = createChatModelFromEnv({ model: options.model });
  const persistence = await openCliPersistence(options.db);
  const graph = createPersonaGraph({ model, updateEvery, ...(semanticGuard !== undefined ? { semanticGuard } : {}) }).compile({
    checkpointer: persistence.checkpointer,
    store: persistence.store,
  });
  const memory = new PersonaMemory(persistence.store, userId);
  let threadId = options.thread ?? randomUUID();
  const config = () => ({ configurable: { thread_id: threadId }, context: { userId } });
  const say = (text: string) => io.output.write(text);
  const note = (text: string) => io.errors.write(`${text}\n`);

  // Unreadable stored rows are left out of the turn; say so once per row, naming it.
  const warned = new Set<string>();
  const warnOnce = (warnings: string[]) => {
    for (const warning of warnings) {
      if (warned.has(warning)) continue;
      warned.add(warning);
      note(`persona: warning: stored row left out (run persona doctor --user ${userId}): ${warning}`);
    }
  };

  const reportLearning = async () => {
    const state = (await graph.getState(config())).values as PersonaGraphStateType;
    const learning = state.lastLearning;
    if (learning && io.interactive) {
      note(`[persona learning: ${learning.outcome}, version ${learning.version}, ${learning.applied} applied, ${learning.rejected} rejected]`);
    }
  };

  const send = async (text: string) => {
    // Checked before the graph runs: a rejected message must not reach the checkpoint.
    const problem = checkMessageText(text);
    if (problem) {
      note(`persona: ${problem}`);
      return;
    }
    const before = (await graph.getState(config())).values as Partial<PersonaGraphStateType>;
    let reply = "";
    if (io.interactive) {
      // Stream the chatbot's tokens as they arrive.
      const stream = await graph.stream({ messages: [new HumanMessage(text)] }, { ...config(), streamMode: "messages" });
      for await (const [chunk, metadata] of stream) {
        if ((metadata as { langgraph_node?: string }).langgraph_node !== PERSONALIZED_CHATBOT) continue;
        if (!(chunk instanceof AIMessageChunk)) continue;
        const piece = messageText(chunk);
        reply += piece;
        say(piece);
      }
    }
    if (!reply) {
      // Piped input, or a server that does not stream: print the final reply.
      const state = io.interactive
        ? ((await graph.getState(config())).values as PersonaGraphStateType)
        : await graph.invoke({ messages: [new HumanMessage(text)] }, config());
      const last = state.messages.at(-1);
      say(last ? messageText(last) : "");
    }
    say("\n");
    const after = (await graph.getState(config())).values as PersonaGraphStateType;
    warnOnce(after.memoryWarnings ?? []);
    if (JSON.stringify(after.lastLearning) !== JSON.stringify(before.lastLearning ?? null)) await reportLearning();
  };

  const endSession = async () => {
    const state = (await graph.getState(config())).values as Partial<PersonaGraphStateType>;
    if (!state.sessionId || (await memory.getSession(state.sessionId))?.status !== "open") return;
    const result = await graph.invoke({ endSession: true }, config());
    if (JSON.stringify(result.lastLearning) !== JSON.stringify(state.lastLearning ?? null)) await reportLearning();
  };

  const showPersona = async () => {
    say(`${JSON.stringify(await memory.load(), null, 2)}\n`);
  };

  if (io.interactive) note(`persona chat: user "${userId}", thread ${threadId} (resume with --thread ${threadId}); /help for commands`);

  const lines = createInterface({ input: io.input, terminal: false, crlfDelay: Infinity });
  const prompt = () => {
    if (io.interactive) say("you> ");
  };
  try {
    prompt();
    for await (const line of lines) {
      const command = line.trim();
      if (command === "/exit" || command === "/quit") break;
      if (command === "/help") note(HELP);
      else if (command === "/end") {
        await endSession();
        note("session ended");
      } else if (command === "/new") {
        await endSession();
        threadId = randomUUID();
        note(`new thread ${threadId}`);
      } else if (command === "/persona") await showPersona();
      else if (command.startsWith("/")) note(`unknown command ${command}; /help lists them`);
      else if (command === "" && !io.interactive) {
        // Blank lines in piped input separate nothing; skip them.
      } else await send(line);
      prompt();
    }
    await endSession();
  } finally {
    lines.close();
    await persistence.close();
  }
}

export const chatCommand: CliCommand = {
  name: "chat",
  usage: "--user <id> [--thread <id>] [--db <path|postgres-url>] [--update-every <k>] [--model <name>] [--semantic-guard on|off]",
  summary: "Chat with a persona-aware assistant; one message per line when input is piped.",
  flags: ["user", "thread", "db", "update-every", "model", "semantic-guard"],
  run: (flags, io) =>
    runChat(
      {
        user: flags.text("user"),
        thread: flags.text("thread"),
        db: flags.text("db"),
        updateEvery: flags.text("update-every"),
        model: flags.text("model"),
        semanticGuard: flags.text("semantic-guard"),
      },
      io,
    ),
};
