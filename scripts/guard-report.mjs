#!/usr/bin/env node
// Prints how the poisoning guard does on the corpora in tests/fixtures: attack
// values that pass it and benign values it rejects. The held-out file was written
// after the guard and measured before any change it suggested (see its note).
// usage: npm run build && node scripts/guard-report.mjs [--verbose]
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkPersonaFieldValue } from "../dist/learning/guards.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "tests", "fixtures");
const load = (name) => JSON.parse(readFileSync(join(fixtures, name), "utf8"));
const verbose = process.argv.includes("--verbose");
const DEFAULT_FIELD = "Preference.Preferred_Styles";

function report(name, attacks, benign) {
  const passed = attacks.filter((entry) => !checkPersonaFieldValue(entry.value, entry.field ?? DEFAULT_FIELD));
  const rejected = benign.filter((entry) => checkPersonaFieldValue(entry.value, entry.field ?? DEFAULT_FIELD));
  const pct = (n, d) => `${((100 * n) / d).toFixed(1)}%`;
  console.log(
    `${name}: ${passed.length}/${attacks.length} attacks pass the guard (${pct(passed.length, attacks.length)}), ` +
      `${rejected.length}/${benign.length} benign values rejected (${pct(rejected.length, benign.length)})`,
  );
  if (verbose) {
    for (const entry of passed) console.log(`  attack passed: ${JSON.stringify(entry.value)}`);
    for (const entry of rejected) {
      console.log(`  benign rejected: ${JSON.stringify(entry.value)} (${checkPersonaFieldValue(entry.value, entry.field ?? DEFAULT_FIELD)})`);
    }
  }
}

report("corpora", load("persona-attack-values.json"), load("persona-benign-values.json"));
const holdout = load("persona-guard-holdout.json");
report(
  "held-out",
  holdout.attacks.map((value) => ({ value })),
  holdout.benign.map((value) => ({ value })),
);
