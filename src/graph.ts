// The graph entry point (`langgraph-persona/graph`): the persona graphs and their options.
export { createPersonaGraph, createPersonaLearnerGraph } from "./graph/createPersonaGraph.js";
export type { PersonaGraphOptions } from "./graph/options.js";
