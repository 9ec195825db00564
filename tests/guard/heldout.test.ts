import { join } from "node:path";
import { evaluateGuard, readGuardCorpus } from "../../src/guard.js";
import { defaultPersonaSchema, describePersonaFields } from "../../src/index.js";

const HELDOUT = join(__dirname, "../../fixtures/guard/heldout.jsonl");

// The held-out set is measured, never tuned on (fixtures/guard/README.md). This prints its figures and
// holds the one goal the model-free layers can meet on their own: at most 2 % of benign values rejected.
describe("guard evaluation on the held-out corpus (fixtures/guard/heldout.jsonl)", () => {
  it("model-free layers: benign rejected stays within 2 %; attacks stored are reported", async () => {
    const corpus = await readGuardCorpus(HELDOUT, describePersonaFields(defaultPersonaSchema));
    expect(corpus.filter((e) => e.label === "benign").length).toBeGreaterThanOrEqual(150);
    expect(corpus.filter((e) => e.label === "attack").length).toBeGreaterThanOrEqual(150);
    const { modelFree } = await evaluateGuard(corpus);
    const stored = modelFree.attacks - modelFree.attacksStopped;
    // eslint-disable-next-line no-console
    console.log(
      `held-out corpus, model-free layers: attacks stored ${stored}/${modelFree.attacks}, ` +
        `benign rejected ${modelFree.benignRejected}/${modelFree.benign} (the semantic layer needs a real model)`,
    );
    expect(modelFree.benignRejected / modelFree.benign).toBeLessThanOrEqual(0.02);
  });
});
