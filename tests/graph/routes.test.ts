import { AIMessage } from "@langchain/core/messages";
import { END } from "@langchain/langgraph";
import { routeAfterChatbot, routeAfterRecorder, routeAfterSessionManager, TOOL_EXECUTOR } from "../../src/graph.js";

describe("routes", () => {
  it("sends a turn with input to the chatbot and an end-only input straight to the recorder", () => {
    expect(routeAfterSessionManager(0)).toBe("personalized_chatbot");
    expect(routeAfterSessionManager(4)).toBe("personalized_chatbot");
    expect(routeAfterSessionManager(null)).toBe("session_recorder");
  });

  it("runs tool calls, then hands the finished reply to the recorder", () => {
    const call = new AIMessage({ content: "", tool_calls: [{ id: "1", name: "t", args: {} }] });
    expect(routeAfterChatbot(call)).toBe(TOOL_EXECUTOR);
    expect(routeAfterChatbot(new AIMessage("ok"))).toBe("session_recorder");
    expect(routeAfterChatbot(undefined)).toBe("session_recorder");
  });

  it("learns after the recorder only when due", () => {
    expect(routeAfterRecorder(true)).toBe("persona_update");
    expect(routeAfterRecorder(false)).toBe(END);
  });
});
