import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import { z } from "zod";
import { formatPrompt, messageText } from "../render.js";
import { TOOL_SIMULATOR_CALL, TOOL_SIMULATOR_SYSTEM } from "./prompts/toolSimulator.js";
import type { BenchApi, BenchScene } from "./data/types.js";

/** The documented arguments carry names only, no types: accept any JSON scalar or list. */
const argumentValue = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))])
  .optional();

/** A zod object with one optional field per documented argument name. */
export function apiArgumentsSchema(api: BenchApi) {
  return z.object(Object.fromEntries(api.arguments.map((name) => [name, argumentValue.describe(`argument "${name}"`)])));
}

/** One record per simulated API call, kept in the results. */
export interface ToolCallRecord {
  api: string;
  arguments: unknown;
  result: string;
  /** The simulator's reply had no text ("{}" was returned to the chatbot). */
  empty?: boolean;
}

/**
 * Turns a scene's APIs into tools for the chatbot. A call is answered by the
 * tool-simulator model role-playing that API in this scene.
 */
export function createSceneTools(
  scene: BenchScene,
  model: BaseChatModel,
  log: ToolCallRecord[],
): StructuredToolInterface[] {
  return scene.apis.map((api) =>
    tool(
      async (args: Record<string, unknown>) => {
        const system = formatPrompt(TOOL_SIMULATOR_SYSTEM, {
          api_name: api.name,
          api_description: api.description,
          api_arguments: api.arguments.join(", ") || "(none)",
          scene_desc: scene.description,
          scene_context: scene.context,
        });
        const call = formatPrompt(TOOL_SIMULATOR_CALL, { arguments: JSON.stringify(args) });
        // No config passed on purpose: the simulator's cost is counted on its own model.
        const reply = await model.invoke([new SystemMessage(system), new HumanMessage(call)]);
        const text = messageText(reply).trim();
        const result = text || "{}";
        log.push({ api: api.name, arguments: args, result, ...(text ? {} : { empty: true }) });
        return result;
      },
      {
        name: api.toolName,
        // A renamed API keeps its original name in the description, so the chatbot still sees it.
        description:
          api.toolName === api.name ? api.description || `API ${api.name}` : `${api.name}: ${api.description || "API"}`,
        schema: apiArgumentsSchema(api),
      },
    ),
  );
}
