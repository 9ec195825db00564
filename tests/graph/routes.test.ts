import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { END } from "@langchain/langgraph";
import { routeAfterChatbot, routeAfterSessionManager, TOOL_EXECUTOR } from "../../src/graph/routes.js";
import type { PersonaGraphStateType } from "../../src/graph/state.js";

const state = (messages: PersonaGraphStateType["messages"], learningDue = false) =>
  ({ messages, learningDue }) as PersonaGraphStateType;

describe("routes", () => {
  it("sends a new user message to the chatbot, even when learning is due", () => {
    expect(routeAfterSessionManager(state([new HumanMessage("hi")], true))).toBe("personalized_chatbot");
  });

  it("learns at the end of a turn only when due", () => {
    expect(routeAfterSessionManager(state([new HumanMessage("hi"), new AIMessage("yo")], true))).toBe("persona_update");
    expect(routeAfterSessionManager(state([new HumanMessage("hi"), new AIMessage("yo")], false))).toBe(END);
    expect(routeAfterSessionManager(state([], false))).toBe(END);
  });

  it("runs tool calls, then hands finished replies back to the session manager", () => {
    const call = new AIMessage({ content: "", tool_calls: [{ id: "1", name: "t", args: {} }] });
    expect(routeAfterChatbot(state([new HumanMessage("hi"), call]))).toBe(TOOL_EXECUTOR);
    const done = [new HumanMessage("hi"), call, new ToolMessage({ content: "r", tool_call_id: "1" }), new AIMessage("ok")];
    expect(routeAfterChatbot(state(done))).toBe("session_manager");
  });
});
