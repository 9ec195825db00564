// The guard entry point (`langgraph-persona/guard`): the poisoning guard's layers.
export { checkStructure } from "./guard/structural.js";
