/** The output language of a generation run. */
export interface OutputLanguage {
  /** BCP 47 code as given, e.g. "zh", "en", "es-MX". */
  code: string;
  /** English name for prompts, e.g. "Chinese", "Spanish (Mexico)". */
  name: string;
  /** Separator between a scene type's category and explanation: "：" for Chinese and Japanese, ": " otherwise. */
  separator: string;
}

const CODE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;

/**
 * Reads a language code into the name prompts use.
 *
 * @param code - A BCP 47 language code such as "zh", "en" or "es-MX".
 * @returns The code, its English name and the scene-type separator for it.
 * @throws Error naming the bad code when it is not a known language.
 * @example
 * outputLanguage("zh").name; // "Chinese"
 */
export function outputLanguage(code: string): OutputLanguage {
  const trimmed = code.trim();
  let name: string | undefined;
  if (CODE.test(trimmed)) {
    try {
      name = new Intl.DisplayNames(["en"], { type: "language", fallback: "none" }).of(trimmed);
    } catch {
      name = undefined;
    }
  }
  if (!name) throw new Error(`unknown language code "${code}": use a BCP 47 code such as en, zh, es or pt-BR`);
  const primary = trimmed.split("-")[0].toLowerCase();
  return { code: trimmed, name, separator: primary === "zh" || primary === "ja" ? "：" : ": " };
}
