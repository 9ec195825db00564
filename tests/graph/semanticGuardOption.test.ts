import { resolvePersonaSettings } from "../../src/learning.js";
import { ScriptedChatModel } from "../../src/testing/index.js";

const model = new ScriptedChatModel({ replies: [] });
const other = new ScriptedChatModel({ replies: [] });

describe("the semanticGuard option", () => {
  const saved = process.env.PERSONA_SEMANTIC_GUARD;
  afterEach(() => {
    if (saved === undefined) delete process.env.PERSONA_SEMANTIC_GUARD;
    else process.env.PERSONA_SEMANTIC_GUARD = saved;
  });

  it("is on by default, with the learner model", () => {
    delete process.env.PERSONA_SEMANTIC_GUARD;
    expect(resolvePersonaSettings({ model }).semanticGuard).toEqual({ model });
    expect(resolvePersonaSettings({ model, learnerModel: other }).semanticGuard).toEqual({ model: other });
  });

  it("PERSONA_SEMANTIC_GUARD=off turns it off unless the option says otherwise", () => {
    process.env.PERSONA_SEMANTIC_GUARD = "off";
    expect(resolvePersonaSettings({ model }).semanticGuard).toBeUndefined();
    expect(resolvePersonaSettings({ model, semanticGuard: true }).semanticGuard).toEqual({ model });
    process.env.PERSONA_SEMANTIC_GUARD = "ON";
    expect(resolvePersonaSettings({ model }).semanticGuard).toEqual({ model });
  });

  it("false turns it off, { model } picks another model, bad values fail clearly", () => {
    delete process.env.PERSONA_SEMANTIC_GUARD;
    expect(resolvePersonaSettings({ model, semanticGuard: false }).semanticGuard).toBeUndefined();
    expect(resolvePersonaSettings({ model, semanticGuard: { model: other } }).semanticGuard).toEqual({ model: other });
    expect(() => resolvePersonaSettings({ model, semanticGuard: { model: "gpt" as never } })).toThrow(/semanticGuard must be true, false or \{ model \}/);
    process.env.PERSONA_SEMANTIC_GUARD = "maybe";
    expect(() => resolvePersonaSettings({ model })).toThrow(/PERSONA_SEMANTIC_GUARD must be "on" or "off", got "maybe"/);
  });
});
