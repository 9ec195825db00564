import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

/**
 * A chat model that answers with replies recorded in the data, in order, and
 * calls nothing: the persona graph replays PrefEval's recorded exchanges
 * (implicit conversations, fillers) through it, so they are recorded as real
 * turns of the session without a model call. Answering with no reply queued is
 * an error (the bench queued one reply per replayed turn).
 */
export class RecordedReplyModel extends BaseChatModel {
  private readonly queue: string[] = [];

  constructor() {
    super({});
  }

  _llmType(): string {
    return "recorded-reply";
  }

  /** Queues the reply of the next turn. */
  push(reply: string): void {
    this.queue.push(reply);
  }

  /** Replies queued and not used yet. */
  get pending(): number {
    return this.queue.length;
  }

  async _generate(): Promise<ChatResult> {
    const text = this.queue.shift();
    if (text === undefined) throw new Error("RecordedReplyModel: no recorded reply queued for this turn");
    return { generations: [{ message: new AIMessage(text), text }] };
  }
}
