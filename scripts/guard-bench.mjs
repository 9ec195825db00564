#!/usr/bin/env node
// Prints the guard's speed and the persona block's size: validating 1 MB values (the write path
// rejects them on length first), scanning 1 and 2 MB values with every structural rule (to show
// the scan is linear), and the tokens of the rendered persona block for the PersonaBench golden
// personas and for adversarial worst cases.
// usage: npm run build && node scripts/guard-bench.mjs [--personabench <dir>] [--compare-old]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkStructure } from "../dist/guard/structural.js";
import { poisoningGuard } from "../dist/learning/guards.js";
import { validateChanges } from "../dist/learning/validateChanges.js";
import { renderPersonaBlock } from "../dist/render/personaBlock.js";
import { countTokens } from "../dist/render/tokens.js";
import { defaultPersonaSchema } from "../dist/schema/defaultSchema.js";
import { describePersonaFields } from "../dist/schema/fields.js";
import { personaFromPersonaBench } from "../dist/bench.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({ options: { personabench: { type: "string" }, "compare-old": { type: "boolean" } } });
const fields = describePersonaFields(defaultPersonaSchema);
const ms = (started) => (performance.now() - started).toFixed(1);

const MB = 1 << 20;
const shapes = {
  "a × 1 MB": (n) => "a".repeat(n),
  '"a@" × 0.5 M': (n) => "a@".repeat(n / 2),
  "newlines": (n) => "\n".repeat(n),
  "CJK": (n) => "字".repeat(n),
  "base64-like": (n) => "aB3+".repeat(n / 4),
  '"< " pairs': (n) => "< ".repeat(n / 2),
  '"system "': (n) => "system ".repeat(Math.floor(n / 7)),
  "digits and dashes": (n) => "1-".repeat(n / 2),
};

console.log("validateChanges on one 1 MB proposed value (structural guard on; rejected on length before any pattern):");
for (const [name, make] of Object.entries(shapes)) {
  const value = make(MB);
  const started = performance.now();
  const { rejected, valid } = validateChanges([{ op: "set", field: "Preference.Preferred_Styles", value, evidence: "x" }], { fields, guards: [poisoningGuard] });
  const outcome = rejected[0]?.reason ?? (valid[0]?.op === "clear" ? "blank: read as clearing the field" : "accepted");
  console.log(`  ${name.padEnd(20)} ${ms(started).padStart(7)} ms  (${outcome})`);
}

console.log("\nstructural layer scanning the whole value (length cap off), 1 MB and 2 MB:");
checkStructure("warm up", { maxLength: Infinity });
for (const [name, make] of Object.entries(shapes)) {
  const times = [MB, 2 * MB].map((n) => {
    const value = make(n);
    const started = performance.now();
    checkStructure(value, { maxLength: Infinity });
    return ms(started);
  });
  console.log(`  ${name.padEnd(20)} 1 MB ${times[0].padStart(7)} ms   2 MB ${times[1].padStart(7)} ms`);
}

if (flags["compare-old"]) {
  // The email rule of the pattern guard this layer replaced, on growing inputs.
  const oldEmail = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;
  console.log("\nthe replaced guard's email rule (quadratic):");
  for (const n of [10_000, 20_000, 40_000]) {
    const started = performance.now();
    oldEmail.test("a".repeat(n));
    console.log(`  ${String(n).padStart(6)} characters ${ms(started).padStart(8)} ms`);
  }
}

const sample = flags.personabench ?? join(root, "..", "shared", "personabench", "raw");
console.log("\npersona block tokens (o200k_base, tags included; budget 600):");
countTokens("warm up");
if (existsSync(sample)) {
  const files = readdirSync(sample).filter((file) => file.endsWith(".json"));
  const sizes = [];
  let shortened = 0;
  let cold = 0;
  for (const file of files) {
    const { persona } = personaFromPersonaBench(JSON.parse(readFileSync(join(sample, file), "utf8")));
    const started = performance.now();
    const block = renderPersonaBlock(persona, defaultPersonaSchema);
    cold += performance.now() - started;
    sizes.push(block.tokens);
    if (block.shortened.length || block.omitted.length) shortened++;
  }
  const warmStarted = performance.now();
  for (const file of files) renderPersonaBlock(personaFromPersonaBench(JSON.parse(readFileSync(join(sample, file), "utf8"))).persona, defaultPersonaSchema);
  sizes.sort((a, b) => a - b);
  console.log(
    `  PersonaBench golden (${files.length} in ${sample}): min ${sizes[0]}, median ${sizes[Math.floor(sizes.length / 2)]}, max ${sizes.at(-1)}; ` +
      `${shortened} shortened or cut; render ${(cold / files.length).toFixed(1)} ms first time, ${((performance.now() - warmStarted) / files.length).toFixed(1)} ms again`,
  );
} else {
  console.log(`  PersonaBench golden: ${sample} not found (pass --personabench <dir>)`);
}

const fill = (unit, length) => unit.repeat(Math.floor(length / unit.length));
function maximal(char) {
  const persona = {};
  for (const field of fields) {
    const [group, name] = field.segments;
    const value =
      field.format.format === "mbti-letter"
        ? field.choices[0]
        : field.format.format === "age"
          ? 150
          : field.format.format === "language-list"
            ? Array.from({ length: 10 }, () => "Português".padEnd(40, "x"))
            : field.kind === "list"
              ? Array.from({ length: 20 }, () => fill(char, 80))
              : (field.format.maxLength ?? 0) >= 200
                ? fill(`${char.repeat(7)} `, field.format.maxLength).trim()
                : fill("X", field.format.maxLength ?? 60);
    persona[group] = { ...persona[group], [name]: value };
  }
  return persona;
}
const worst = {
  "every field at its maximum, Latin": maximal("x"),
  "every field at its maximum, rare CJK": maximal("龘"),
  "every field at its maximum, all escaped (<)": maximal("<"),
  "every field at its maximum, emoji ZWJ": maximal("🧑‍🍳"),
  "20 MB stored value + 5000 list items": { Pattern: { Usage_Pattern: "A".repeat(20 * MB) }, Personality: { Values_and_Interests: Array.from({ length: 5000 }, () => "tea") } },
  "schema-breaking values (Age: very old)": { Demographics: { Age: "very old", Name: "Ann" } },
};
for (const [name, persona] of Object.entries(worst)) {
  const started = performance.now();
  const block = renderPersonaBlock(persona, defaultPersonaSchema);
  console.log(
    `  ${name.padEnd(44)} ${String(block.tokens).padStart(4)} tokens, ${block.shown} shown, ${block.shortened.length} shortened, ${block.omitted.length} left out (${ms(started)} ms)`,
  );
}
