// The render entry point (`langgraph-persona/render`): a persona as prompt text.
export { renderPersona } from "./render/renderPersona.js";
