import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { END } from "@langchain/langgraph";
import { routeAfterChatbot, routeAfterRecorder, routeAfterSessionManager, TOOL_EXECUTOR } from "../../src/graph/routes.js";
import type { PersonaGraphStateType } from "../../src/graph/state.js";

const state = (fields: Partial<PersonaGraphStateType>) => ({ messages: [], turnStart: null, learningDue: false, ...fields }) as PersonaGraphStateType;

describe("routes", () => {
  it("sends a turn with input to the chatbot and an end-only input straight to the recorder", () => {
    expect(routeAfterSessionManager(state({ messages: [new HumanMessage("hi")], turnStart: 0 }))).toBe("personalized_chatbot");
    expect(routeAfterSessionManager(state({ messages: [new HumanMessage("hi"), new AIMessage("yo")], turnStart: null }))).toBe(
      "session_recorder",
    );
  });

  it("runs tool calls, then hands the finished reply to the recorder", () => {
    const call = new AIMessage({ content: "", tool_calls: [{ id: "1", name: "t", args: {} }] });
    expect(routeAfterChatbot(state({ messages: [new HumanMessage("hi"), call] }))).toBe(TOOL_EXECUTOR);
    const done = [new HumanMessage("hi"), call, new ToolMessage({ content: "r", tool_call_id: "1" }), new AIMessage("ok")];
    expect(routeAfterChatbot(state({ messages: done }))).toBe("session_recorder");
  });

  it("learns after the recorder only when due", () => {
    expect(routeAfterRecorder(state({ learningDue: true }))).toBe("persona_update");
    expect(routeAfterRecorder(state({ learningDue: false }))).toBe(END);
  });
});
