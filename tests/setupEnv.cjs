// Scripted learners in these tests answer only the learner's call, not the semantic guard's (layer 3,
// on by default in the product). Tests therefore run with it off unless a test turns it on with the
// `semanticGuard` option or clears this variable (tests/guard, tests/learning/semanticGate.test.ts and
// the CLI guard tests do). Subprocesses inherit it.
process.env.PERSONA_SEMANTIC_GUARD ??= "off";
