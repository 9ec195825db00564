// The learning entry point (`langgraph-persona/learning`): learning a persona from sessions.
export { learnPersona } from "./learning/learnPersona.js";
