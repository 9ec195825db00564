import { Tiktoken } from "js-tiktoken/lite";
import o200kBase from "js-tiktoken/ranks/o200k_base";

let encoder: Tiktoken | undefined;

/**
 * Counts tokens with the o200k_base encoding (GPT-4o family) from ranks bundled
 * in the package, so counting never touches the network. Loaded on first use.
 */
export function countTokens(text: string): number {
  encoder ??= new Tiktoken(o200kBase);
  return encoder.encode(text).length;
}
