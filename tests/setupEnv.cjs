// Scripted learners in most tests answer only the learner's call, not the semantic guard's (layer 3,
// on by default in the product). Tests therefore run with it off unless a test turns it on with the
// `semanticGuard` option or removes this variable from a child's environment (tests/guard,
// tests/learning/semanticGate.test.ts, tests/cli/guardEval.e2e.test.ts and the cross-process race
// worker run it on). Children started with a copy of process.env get "off" too; children started
// without an env option do not (they see the real environment).
process.env.PERSONA_SEMANTIC_GUARD ??= "off";
