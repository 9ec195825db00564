import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage } from "@langchain/core/messages";
import { formatPrompt } from "../prompts/formatPrompt.js";
import { GENERATE_CATEGORIES } from "./prompts/generateCategories.js";
import type { SceneCategory } from "./records.js";
import { callStructured, type CallLedger } from "./structuredCall.js";
import { TOOLS } from "./tools.js";

const nameKey = (name: string) => name.normalize("NFKC").trim().toLowerCase();

/**
 * Asks the generator for the common scene categories of a population (stage
 * 1 when no category file is given), with the capabilities each may need.
 *
 * @param model - The generator model.
 * @param population - Who the personas are.
 * @param language - Output language name, e.g. "Spanish".
 * @param needed - Fewest categories that will do (common scenes per persona).
 * @param ledger - Where calls and counts go.
 * @param maxAttempts - Calls, the first included. @default 3
 * @returns At least `needed` distinct categories (24 or more asked for).
 * @throws StructuredOutputError when no valid list comes back.
 * @example
 * const categories = await generateSceneCategories(model, "nurses in Lyon", "French", 7, ledger);
 */
export async function generateSceneCategories(
  model: BaseChatModel,
  population: string,
  language: string,
  needed: number,
  ledger: CallLedger,
  maxAttempts = 3,
): Promise<SceneCategory[]> {
  const count = Math.max(24, needed + 10);
  const reply = await callStructured(
    model,
    {
      role: "generator",
      stage: "seed",
      tool: TOOLS.categories.name,
      description: TOOLS.categories.description,
      schema: TOOLS.categories.schema,
      check: (value) => {
        const names = new Set(value.categories.map((c) => nameKey(c.name)));
        if (names.size !== value.categories.length) return "category names repeat: give each category once";
        if (value.categories.length < needed) return `${value.categories.length} categories given, at least ${needed} are needed`;
        return undefined;
      },
      messages: [new HumanMessage(formatPrompt(GENERATE_CATEGORIES, { population, count: String(count), language, tool: TOOLS.categories.name }))],
    },
    ledger,
    maxAttempts,
  );
  ledger.stats["seed.categories_generated"] = (ledger.stats["seed.categories_generated"] ?? 0) + reply.categories.length;
  return reply.categories.map((c) => ({ name: c.name.trim(), description: c.description, capabilities: c.capabilities }));
}
