/**
 * Fills `{name}` placeholders. Every placeholder must be given and every given
 * value must be used, so a renamed variable fails loudly instead of leaking
 * "{name}" into a prompt.
 * @param template - the text with `{name}` placeholders
 * @param values - one value per placeholder
 * @returns the filled text; throws when a placeholder has no value or a value is not used
 * @example
 * formatPrompt("Hello {name}", { name: "Alice" }); // "Hello Alice"
 */
export function formatPrompt(template: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const text = template.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`prompt placeholder {${name}} has no value`);
    used.add(name);
    return values[name];
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`prompt values not used by the template: ${unused.join(", ")}`);
  return text;
}
