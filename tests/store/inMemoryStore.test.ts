import { InMemoryStore } from "@langchain/langgraph";
import { describeStoreConformance } from "./storeConformance.js";

// The reference implementation: the spec must describe LangGraph's own store too.
describeStoreConformance("InMemoryStore", () => ({ store: new InMemoryStore() }));
