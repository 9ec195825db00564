import { COMMANDS } from "../../src/cli/commands.js";

it("every command entry loads the command of its name, and every flag the usage line shows is declared", async () => {
  for (const entry of COMMANDS) {
    const command = await entry.load();
    expect(command.name).toBe(entry.name);
    const declared = new Set([...command.flags, ...(command.booleanFlags ?? [])]);
    const shown = [...command.usage.matchAll(/--([a-z][a-z-]*)/g)].map((match) => match[1]!);
    expect({ command: command.name, undeclared: shown.filter((flag) => !declared.has(flag)) }).toEqual({ command: command.name, undeclared: [] });
  }
});
