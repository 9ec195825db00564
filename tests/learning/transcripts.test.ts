import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { renderSessionForLearner, turnsFromMessages } from "../../src/learning/transcripts.js";
import { countTokens } from "../../src/render.js";

describe("transcripts", () => {
  it("keeps user messages and final replies, not tool traffic", () => {
    const turns = turnsFromMessages([
      new HumanMessage("book a table"),
      new AIMessage({ content: "", tool_calls: [{ id: "1", name: "book", args: {} }] }),
      new ToolMessage({ content: "booked", tool_call_id: "1" }),
      new AIMessage("Done: 7pm."),
    ]);
    expect(turns).toEqual([
      { role: "user", text: "book a table" },
      { role: "assistant", text: "Done: 7pm." },
    ]);
  });

  it("stays within the token budget by omitting the middle of long sessions", () => {
    const turns = Array.from({ length: 60 }, (_, i) => ({
      role: i % 2 ? ("assistant" as const) : ("user" as const),
      text: `message number ${i} about something the user cares about`,
    }));
    const rendered = renderSessionForLearner(turns, 200);
    expect(countTokens(rendered)).toBeLessThanOrEqual(220);
    expect(rendered.startsWith("User: message number 0")).toBe(true);
    expect(rendered).toMatch(/message number 59/);
    expect(rendered).toMatch(/\[… \d+ turns omitted …\]/);
  });

  it("clips a single turn longer than the budget instead of dropping it", () => {
    const rendered = renderSessionForLearner([{ role: "user", text: "我喜欢古典文学和书法。".repeat(300) }], 100);
    expect(rendered.startsWith("User: 我喜欢古典文学")).toBe(true);
    expect(rendered.endsWith("…")).toBe(true);
    expect(countTokens(rendered)).toBeLessThanOrEqual(100);
  });

  it("returns short sessions whole, clipping long assistant replies", () => {
    const rendered = renderSessionForLearner(
      [
        { role: "user", text: "hi" },
        { role: "assistant", text: "y".repeat(1000) },
      ],
      5000,
    );
    expect(rendered).toBe(`User: hi\nAssistant: ${"y".repeat(400)}…`);
  });
});
